import { foldText, replaceTokens } from './text.js';

/**
 * Company-name standardising: legal forms say nothing about identity
 * ("Acme GmbH" and "ACME" are the same company), and abbreviations vary by
 * clerk. Multi-word forms are matched on the folded text first.
 */
const LEGAL_FORM_PHRASES = [
  // Written out, longest first so a phrase is removed before its parts.
  'gesellschaft mit beschrankter haftung', 'societa a responsabilita limitata', 'societe a responsabilite limitee',
  'sociedad de responsabilidad limitada', 'societe par actions simplifiee', 'designated activity company',
  'public limited company', 'limited liability company', 'besloten vennootschap', 'naamloze vennootschap',
  'societa per azioni', 'sociedad limitada', 'sociedad anonima', 'societe anonyme', 'aktiengesellschaft',
  'kommanditgesellschaft', 'private limited', 'unlimited company',
  'gmbh and co kg', 'gmbh und co kg', 'gmbh and co', 'and co kg', 'und co kg', 'co kg', 'pty ltd', 'ag and co',
  // Dotted abbreviations fold to single letters: "S.A.R.L." → "s a r l".
  's a r l', 's a s u', 's a s', 's a u', 's l u', 's p a', 's r l', 'g m b h', 'd a c', 'l l c', 'p l c',
  's a', 's l', 'n v', 'b v', 'a g',
];

const LEGAL_FORM_TOKENS = new Set([
  'gmbh', 'ag', 'kg', 'ohg', 'ug', 'sa', 'sas', 'sarl', 'sprl', 'srl', 'spa', 'bv', 'bvba', 'nv', 'vof', 'cv',
  'ltd', 'limited', 'plc', 'llc', 'llp', 'lp', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company',
  'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'kft', 'sp', 'zoo', 'sro', 'pty', 'se', 'kgaa', 'sl', 'sau', 'lda',
  'slu', 'sasu', 'eurl', 'dac', 'uc', 'gbr', 'ev', 'eg', 'scs', 'scrl', 'snc', 'sapa', 'sccl',
]);

const ABBREVIATIONS: Record<string, string> = {
  intl: 'international', int: 'international', mfg: 'manufacturing', manuf: 'manufacturing',
  tech: 'technologies', technology: 'technologies', techn: 'technologies', svc: 'services', svcs: 'services',
  service: 'services', sys: 'systems', system: 'systems', grp: 'group', hldgs: 'holdings', holding: 'holdings',
  ind: 'industries', inds: 'industries', industry: 'industries', bros: 'brothers', assoc: 'associates',
  dept: 'department', natl: 'national', solns: 'solutions', solution: 'solutions', eng: 'engineering',
  engg: 'engineering', mgmt: 'management', dist: 'distribution', univ: 'university', ctr: 'center',
  centre: 'center', labs: 'laboratories', lab: 'laboratories', the: '',
  // "&" is folded to "and"; other languages write the conjunction out.
  und: 'and', en: 'and', et: 'and', y: 'and', e: 'and',
};

export function standardiseCompanyName(value: string | null | undefined): string | null {
  let text = foldText(value);
  if (text === null) return null;
  for (const phrase of LEGAL_FORM_PHRASES) {
    const stripped = (` ${text} `).replace(` ${phrase} `, ' ').trim();
    // Never strip a name down to nothing ("S.A." alone stays).
    if (stripped !== '') text = stripped;
  }
  const tokens = replaceTokens(text, ABBREVIATIONS).split(' ');
  // Keep a legal-form token when it is the whole name ("AG" alone would vanish).
  const kept = tokens.filter((t) => !LEGAL_FORM_TOKENS.has(t));
  const result = (kept.length > 0 ? kept : tokens).join(' ').trim();
  return result === '' ? null : result;
}

/** Person and free-text names: folded, no legal forms. */
export function standardiseName(value: string | null | undefined): string | null {
  return foldText(value);
}

/**
 * Legal forms as classes, each spelling → one class ("Gesellschaft mit
 * beschränkter Haftung", "G.m.b.H." → gmbh). Forms that are one legal form
 * under two names share a class: Inc. and Corp. (US corporations), B.V. and
 * the Belgian S.R.L., S.L. and S.L.U., S.A. and S.A.U. Longest spellings
 * first, so "GmbH & Co. KG" is a KG, not a GmbH.
 */
const LEGAL_FORM_CLASSES: [string, string][] = [
  ['gesellschaft mit beschrankter haftung und co kg', 'kg'], ['gmbh and co kg', 'kg'], ['gmbh und co kg', 'kg'], ['gmbhandco kg', 'kg'],
  ['gmbh and co', 'kg'], ['and co kg', 'kg'], ['und co kg', 'kg'], ['co kg', 'kg'], ['kg', 'kg'],
  ['gesellschaft mit beschrankter haftung', 'gmbh'], ['g m b h', 'gmbh'], ['gmbh', 'gmbh'],
  ['aktiengesellschaft', 'ag'], ['a g', 'ag'], ['ag', 'ag'],
  ['public limited company', 'plc'], ['p l c', 'plc'], ['plc', 'plc'],
  ['designated activity company', 'dac'], ['d a c', 'dac'], ['dac', 'dac'],
  ['limited liability company', 'llc'], ['l l c', 'llc'], ['llc', 'llc'],
  ['private limited', 'ltd'], ['limited', 'ltd'], ['ltd', 'ltd'],
  ['incorporated', 'corp'], ['inc', 'corp'], ['corporation', 'corp'], ['corp', 'corp'],
  ['besloten vennootschap', 'bv'], ['b v', 'bv'], ['bv', 'bv'], ['bvba', 'bv'], ['s r l', 'srl'], ['srl', 'srl'],
  ['naamloze vennootschap', 'nv'], ['n v', 'nv'], ['nv', 'nv'],
  ['societe par actions simplifiee', 'sas'], ['s a s u', 'sas'], ['s a s', 'sas'], ['sasu', 'sas'], ['sas', 'sas'],
  ['societe a responsabilite limitee', 'sarl'], ['s a r l', 'sarl'], ['sarl', 'sarl'], ['eurl', 'sarl'],
  ['societa a responsabilita limitata', 'srl'],
  ['societa per azioni', 'spa'], ['s p a', 'spa'], ['spa', 'spa'],
  ['sociedad de responsabilidad limitada', 'sl'], ['sociedad limitada', 'sl'], ['s l u', 'sl'], ['slu', 'sl'], ['s l', 'sl'], ['sl', 'sl'],
  ['sociedad anonima', 'sa'], ['societe anonyme', 'sa'], ['s a u', 'sa'], ['sau', 'sa'], ['s a', 'sa'], ['sa', 'sa'],
];

/**
 * The legal form a company name ends with, as a class (see
 * LEGAL_FORM_CLASSES), or null when the name carries none (a clerk often
 * drops it: no evidence then). Two different classes are two legal entities
 * ("Müller AG" and "Müller GmbH", a parent and its subsidiary).
 */
export function standardiseLegalForm(value: string | null | undefined, country?: string | null): string | null {
  const folded = foldText(value);
  if (folded === null) return null;
  const text = ` ${folded} `;
  let best: string | null = null; let end = -1;
  for (const [phrase, form] of LEGAL_FORM_CLASSES) {
    const at = text.lastIndexOf(` ${phrase} `);
    // The form written last wins; at the same end, the longer (earlier listed) phrase.
    if (at >= 0 && at + phrase.length > end) { end = at + phrase.length; best = form; }
  }
  // The Belgian S.R.L. is the B.V. under its French name; the Italian S.r.l. is not.
  return best === 'srl' && country === 'BE' ? 'bv' : best;
}
