import type { Phone, RealCompany } from './world.js';
import type { Random } from './random.js';

/**
 * The ways two systems write the same fact differently. Each function takes
 * the true value and returns one plausible rendering; the callers decide how
 * often each system deviates. These are the differences the MDM's matching
 * has to see through, so they follow what real data entry produces:
 * legal-form spellings, abbreviations, typos, case, phone and street formats.
 */

export type PhoneStyle = 'international' | 'compact' | 'national' | 'nationalDash' | 'nationalParen';

/** Renders a phone number; "international" is the E.123 form ERPs usually hold ("+49 30 1234567"). */
export function formatPhone(phone: Phone, style: PhoneStyle): string {
  const { country, area, subscriber } = phone;
  const cc = country.phoneCode;
  if (country.code === 'US') {
    const head = subscriber.slice(0, 3);
    const tail = subscriber.slice(3);
    switch (style) {
      case 'international': return `+1 ${area} ${head} ${tail}`;
      case 'compact': return `+1${area}${subscriber}`;
      case 'nationalDash': return `${area}-${head}-${tail}`;
      default: return `(${area}) ${head}-${tail}`;
    }
  }
  const grouped = country.code === 'FR' ? subscriber.replace(/(\d\d)(?=\d)/g, '$1 ') : subscriber;
  const national = `${country.trunk}${area}`;
  switch (style) {
    case 'international': return `+${cc} ${area} ${grouped}`;
    case 'compact': return `+${cc}${area}${subscriber}`;
    case 'national': return `${national} ${grouped}`;
    case 'nationalDash': return `${national}-${subscriber}`;
    case 'nationalParen': return `(${national}) ${subscriber}`;
  }
}

/** Any rendering other than the international one, as people type numbers into a CRM. */
export function reformatPhone(phone: Phone, rng: Random): string {
  return formatPhone(phone, rng.weighted<PhoneStyle>([['national', 3], ['nationalDash', 3], ['nationalParen', 1], ['compact', 2], ['international', 1]]));
}

const ABBREVIATIONS: ReadonlyArray<readonly [RegExp, string]> = [
  [/\bInternational\b/, 'Intl.'],
  [/\bTechnologies\b/, 'Tech'],
  [/\bSystems\b/, 'Sys.'],
  [/\bSolutions\b/, 'Sol.'],
  [/\bCompany\b/, 'Co.'],
  [/\bGroup\b/, 'Grp.'],
  [/\bIndustries\b/, 'Ind.'],
  [/\bManufacturing\b/, 'Mfg.'],
  [/\bEngineering\b/, 'Eng.'],
  [/\bServices\b/, 'Svcs.'],
  [/\bLogistics\b/, 'Log.'],
  [/\bMaschinenbau\b/, 'Maschb.'],
  [/\bElektrotechnik\b/, 'E-Technik'],
];

/** Abbreviates the first abbreviable word, or returns the name unchanged. */
export function abbreviate(name: string): string {
  for (const [pattern, short] of ABBREVIATIONS) if (pattern.test(name)) return name.replace(pattern, short);
  return name;
}

const KEYBOARD_NEIGHBOURS: Record<string, string> = {
  a: 'sq', b: 'vn', c: 'xv', d: 'sf', e: 'wr', f: 'dg', g: 'fh', h: 'gj', i: 'uo', j: 'hk', k: 'jl', l: 'k',
  m: 'n', n: 'bm', o: 'ip', p: 'o', q: 'w', r: 'et', s: 'ad', t: 'rz', u: 'zi', v: 'cb', w: 'qe', x: 'yc', y: 'tu', z: 'tu',
};

/** One typing error inside a word (never the first letter, which people rarely get wrong). */
export function typo(text: string, rng: Random): string {
  const positions: number[] = [];
  for (let i = 1; i < text.length - 1; i++) if (/[a-z]/.test(text[i]) && /[A-Za-z]/.test(text[i - 1])) positions.push(i);
  if (positions.length === 0) return text;
  const i = rng.pick(positions);
  const char = text[i];
  switch (rng.weighted([['swap', 3], ['drop', 3], ['double', 2], ['neighbour', 2]] as const)) {
    case 'swap':
      return /[a-z]/.test(text[i + 1]) ? text.slice(0, i) + text[i + 1] + char + text.slice(i + 2) : text.slice(0, i) + text.slice(i + 1);
    case 'drop':
      return text.slice(0, i) + text.slice(i + 1);
    case 'double':
      return text.slice(0, i) + char + text.slice(i);
    case 'neighbour': {
      const options = KEYBOARD_NEIGHBOURS[char] ?? 'e';
      return text.slice(0, i) + rng.pick(options.split('')) + text.slice(i + 1);
    }
  }
}

export function titleCase(text: string): string {
  return text.toLowerCase().replace(/(^|[\s\-&/(])(\p{L})/gu, (_, sep: string, letter: string) => sep + letter.toUpperCase());
}

export function changeCase(text: string, rng: Random): string {
  const changed = rng.weighted([[text.toUpperCase(), 3], [text.toLowerCase(), 1], [titleCase(text), 2]] as const);
  return changed === text ? text.toUpperCase() : changed;
}

type NameChange = 'legalFormVariant' | 'dropLegalForm' | 'abbreviate' | 'conjunction' | 'typo' | 'case';

/**
 * A company's name as another clerk typed it: one or two changes among a
 * legal-form spelling, a dropped legal form, an abbreviation, "&" written out,
 * a typo, and changed case.
 */
export function companyNameVariant(company: RealCompany, rng: Random, changes: number): string {
  let base = company.baseName;
  let form: string | undefined = company.legalForm.canonical;
  let upper = false;
  let caseChange = false;
  const pool: Array<readonly [NameChange, number]> = [['legalFormVariant', 3], ['dropLegalForm', 2], ['typo', 2], ['case', 2]];
  if (abbreviate(base) !== base) pool.push(['abbreviate', 3]);
  if (base.includes(' & ')) pool.push(['conjunction', 3]);
  for (let n = 0; n < changes; n++) {
    switch (rng.weighted(pool)) {
      case 'legalFormVariant': if (form) form = rng.pick(company.legalForm.variants); break;
      case 'dropLegalForm': form = undefined; break;
      case 'abbreviate': base = abbreviate(base); break;
      case 'conjunction': base = base.replace(' & ', ` ${company.country.and} `); break;
      case 'typo': base = typo(base, rng); break;
      case 'case': caseChange = true; upper = rng.chance(0.6); break;
    }
  }
  const name = form ? `${base} ${form}` : base;
  if (!caseChange) return name;
  return upper ? name.toUpperCase() : changeCase(name, rng);
}

/** A web address as people store it: bare domain, with www, with a scheme. */
export function websiteVariant(domain: string, rng: Random): string {
  return rng.weighted([[`https://www.${domain}`, 4], [`http://www.${domain}`, 2], [`www.${domain}`, 2], [`https://${domain}`, 2], [domain, 1]] as const);
}
