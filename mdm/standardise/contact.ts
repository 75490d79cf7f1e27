import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { foldText } from './text.js';

/** Emails compare case-insensitively; the syntax check feeds "validated values first". */
export function standardiseEmail(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const email = String(value).trim().toLowerCase();
  return email === '' ? null : email;
}

export function isValidEmail(value: string | null): boolean {
  return value !== null && /^[^\s@]+@[^\s@]+\.[a-z]{2,}$/.test(value);
}

/**
 * A web domain from a URL, a bare domain or an email address: the registrable
 * part as typed, without scheme, `www.`, path or port.
 */
export function standardiseDomain(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  let text = String(value).trim().toLowerCase();
  if (text === '') return null;
  const at = text.lastIndexOf('@');
  if (at >= 0) text = text.slice(at + 1);
  text = text.replace(/^[a-z]+:\/\//, '').replace(/[/?#:].*$/, '').replace(/^www\d?\./, '').replace(/\.$/, '');
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(text) ? text : null;
}

/** Free-mail domains identify nobody's company: never a domain match. */
export const FREE_MAIL_DOMAINS = new Set([
  'gmail.com', 'googlemail.com', 'yahoo.com', 'hotmail.com', 'outlook.com', 'live.com', 'aol.com',
  'icloud.com', 'gmx.de', 'gmx.net', 'web.de', 'orange.fr', 'free.fr', 'proton.me', 'protonmail.com',
]);

/**
 * Phone numbers to E.164 (libphonenumber), using the record's country for
 * national formats. Unparseable numbers fall back to their digits so that
 * two identical oddities still compare equal.
 */
export function standardisePhone(value: string | null | undefined, country?: string | null): string | null {
  if (value === null || value === undefined) return null;
  const raw = String(value).trim();
  if (raw === '') return null;
  const region = country && /^[A-Z]{2}$/.test(country) ? (country as CountryCode) : undefined;
  const parsed = parsePhoneNumberFromString(raw.replace(/^00/, '+'), region);
  if (parsed && parsed.isPossible()) return parsed.number;
  const digits = raw.replace(/\D/g, '');
  return digits === '' ? null : digits;
}

export function isE164(value: string | null): boolean {
  return value !== null && /^\+[1-9]\d{6,14}$/.test(value);
}

/** Postcodes: upper case, no spaces or dashes ("1000 ab" = "1000AB"). */
export function standardisePostcode(value: string | null | undefined): string | null {
  const folded = foldText(value === null || value === undefined ? null : String(value));
  return folded === null ? null : folded.replace(/ /g, '').toUpperCase();
}

const STREET_ABBREVIATIONS: Record<string, string> = {
  // German and Dutch "Straße"/"straat" (and "Str.") compare as one token.
  st: 'street', str: 'str', strasse: 'str', straat: 'str', rd: 'road', ave: 'avenue', av: 'avenue', blvd: 'boulevard',
  dr: 'drive', ln: 'lane', ct: 'court', pl: 'place', sq: 'square', hwy: 'highway', pkwy: 'parkway',
  cres: 'crescent', cct: 'circuit', cir: 'circuit', tce: 'terrace', pde: 'parade', bd: 'boulevard',
  n: 'north', s: 'south', e: 'east', w: 'west', apt: 'apartment', ste: 'suite',
  stwg: 'steenweg', r: 'rue', avda: 'avenida', avd: 'avenida', c: 'calle', cl: 'calle', pza: 'plaza',
};

/** Abbreviations written with a dot inside a word, which folding splits: Italian "C.so", "V.le", "P.za". */
const SPLIT_ABBREVIATIONS: [RegExp, string][] = [
  [/^c so /, 'corso '], [/^v le /, 'viale '], [/^p z?za /, 'piazza '], [/^l go /, 'largo '], [/^v lo /, 'vicolo '],
];

/**
 * Street lines: folded, common abbreviations expanded, compound suffixes
 * split off ("Lindenstr." = "Linden Straße", "Molenstraat" = "Molen str",
 * "Verhaeghestwg" = "Verhaeghe steenweg").
 */
export function standardiseStreet(value: string | null | undefined): string | null {
  let folded = foldText(value === null || value === undefined ? null : String(value));
  if (folded === null) return null;
  for (const [pattern, long] of SPLIT_ABBREVIATIONS) folded = folded.replace(pattern, long);
  return folded
    .replace(/([a-z])(strasse|straat|str|steenweg|stwg)\b/g, '$1 $2')
    .split(' ')
    .map((t) => STREET_ABBREVIATIONS[t] ?? t)
    .join(' ');
}

export function standardiseCity(value: string | null | undefined): string | null {
  const folded = foldText(value === null || value === undefined ? null : String(value));
  return folded === null ? null : folded.replace(/\bsaint\b/g, 'st').replace(/\bsankt\b/g, 'st');
}

let countryNames: Map<string, string> | undefined;

/** ISO 3166-1 codes withdrawn or reserved that Intl names like a current country ("Germany" is DE, not DD). */
const DELETED_COUNTRY_CODES = new Set(['AN', 'BU', 'CS', 'DD', 'DY', 'FX', 'HV', 'NH', 'RH', 'SU', 'TP', 'UK', 'VD', 'YD', 'YU', 'ZR']);

/** Countries to ISO 3166-1 alpha-2, from codes or English names (Intl's own table). */
export function standardiseCountry(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const raw = String(value).trim();
  if (raw === '') return null;
  if (/^[A-Za-z]{2}$/.test(raw)) return raw.toUpperCase();
  if (!countryNames) {
    countryNames = new Map();
    for (const [alias, code] of Object.entries({ usa: 'US', 'united states of america': 'US', uk: 'GB', 'great britain': 'GB', england: 'GB', holland: 'NL', eire: 'IE' })) {
      countryNames.set(alias, code);
    }
    // English names first, then each country's name in the main European languages ("Deutschland", "Belgique", "España").
    for (const locale of ['en', 'de', 'fr', 'nl', 'it', 'es', 'pt', 'pl', 'sv', 'da', 'ga']) {
      const display = new Intl.DisplayNames([locale], { type: 'region' });
      for (let a = 65; a <= 90; a++) {
        for (let b = 65; b <= 90; b++) {
          const code = String.fromCharCode(a, b);
          if (DELETED_COUNTRY_CODES.has(code)) continue;
          const name = display.of(code);
          const folded = name && name !== code ? foldText(name) : null;
          if (folded && !countryNames.has(folded)) countryNames.set(folded, code);
        }
      }
    }
  }
  return countryNames.get(foldText(raw) ?? '') ?? foldText(raw);
}
