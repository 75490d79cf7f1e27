/**
 * Text folding shared by every standardiser: the same string in different
 * case, accents, punctuation or spacing must come out identical.
 */
export function foldText(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const folded = String(value)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '') // combining accents left by NFKD
    .replace(/ß/g, 'ss')
    .replace(/æ/gi, 'ae')
    .replace(/ø/gi, 'o')
    .replace(/œ/gi, 'oe')
    .toLowerCase()
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
  return folded === '' ? null : folded;
}

/** Folds and removes every space: for codes (postcodes, SKUs, tax ids). */
export function foldCode(value: string | null | undefined): string | null {
  const folded = foldText(value);
  return folded === null ? null : folded.replace(/ /g, '').toUpperCase();
}

/** Replaces whole tokens through a table (abbreviations → their long form). */
export function replaceTokens(text: string, table: Record<string, string>): string {
  return text
    .split(' ')
    .map((token) => table[token] ?? token)
    .filter((token) => token !== '')
    .join(' ');
}
