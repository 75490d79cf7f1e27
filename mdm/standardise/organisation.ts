import { foldText, replaceTokens } from './text.js';

/**
 * Company-name standardising: legal forms say nothing about identity
 * ("Acme GmbH" and "ACME" are the same company), and abbreviations vary by
 * clerk. Multi-word forms are matched on the folded text first.
 */
const LEGAL_FORM_PHRASES = [
  'public limited company', 'limited liability company', 'private limited', 'societe anonyme',
  'besloten vennootschap', 'naamloze vennootschap', 'and co kg', 'co kg', 'gmbh and co', 'pty ltd',
  's a r l', 's a', 'n v', 'b v', 'l l c', 'p l c', 's p a', 's r l', 'ag and co',
];

const LEGAL_FORM_TOKENS = new Set([
  'gmbh', 'ag', 'kg', 'ohg', 'ug', 'sa', 'sas', 'sarl', 'sprl', 'srl', 'spa', 'bv', 'bvba', 'nv', 'vof', 'cv',
  'ltd', 'limited', 'plc', 'llc', 'llp', 'lp', 'inc', 'incorporated', 'corp', 'corporation', 'co', 'company',
  'oy', 'oyj', 'ab', 'as', 'asa', 'aps', 'kft', 'sp', 'zoo', 'sro', 'pty', 'se', 'kgaa', 'sl', 'sau', 'lda',
]);

const ABBREVIATIONS: Record<string, string> = {
  intl: 'international', int: 'international', mfg: 'manufacturing', manuf: 'manufacturing',
  tech: 'technologies', technology: 'technologies', techn: 'technologies', svc: 'services', svcs: 'services',
  service: 'services', sys: 'systems', system: 'systems', grp: 'group', hldgs: 'holdings', holding: 'holdings',
  ind: 'industries', inds: 'industries', industry: 'industries', bros: 'brothers', assoc: 'associates',
  dept: 'department', natl: 'national', solns: 'solutions', solution: 'solutions', eng: 'engineering',
  engg: 'engineering', mgmt: 'management', dist: 'distribution', univ: 'university', ctr: 'center',
  centre: 'center', labs: 'laboratories', lab: 'laboratories', the: '',
};

export function standardiseCompanyName(value: string | null | undefined): string | null {
  let text = foldText(value);
  if (text === null) return null;
  for (const phrase of LEGAL_FORM_PHRASES) {
    text = (` ${text} `).replace(` ${phrase} `, ' ').trim();
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
