import { createRequire } from 'node:module';

/**
 * String metrics and phonetic codes from talisman (a maintained library of
 * record-linkage metrics). It ships CommonJS without types, hence the typed
 * require here, in one place.
 */
const require = createRequire(import.meta.url);

export const jaroWinkler: (a: string, b: string) => number = require('talisman/metrics/jaro-winkler');
export const damerauLevenshtein: (a: string, b: string) => number = require('talisman/metrics/damerau-levenshtein');
export const doubleMetaphone: (word: string) => [string, string] = require('talisman/phonetics/double-metaphone');

/** Jaccard similarity of the two values' word sets. */
export function tokenSetSimilarity(a: string, b: string): number {
  const left = new Set(a.split(' '));
  const right = new Set(b.split(' '));
  let common = 0;
  for (const t of left) if (right.has(t)) common++;
  return common / (left.size + right.size - common);
}

/** Double Metaphone of each word, primary codes joined: "jon smith" → "JN SM0". */
export function phoneticKey(value: string): string {
  return value.split(' ').map((w) => doubleMetaphone(w)[0]).join(' ');
}

/** Whether two values sound alike: any word-wise Double Metaphone code in common for every word pair. */
export function soundsAlike(a: string, b: string): boolean {
  const left = a.split(' '); const right = b.split(' ');
  if (left.length !== right.length) return phoneticKey(a) === phoneticKey(b);
  return left.every((w, i) => {
    const [p1, s1] = doubleMetaphone(w); const [p2, s2] = doubleMetaphone(right[i]);
    return p1 === p2 || p1 === s2 || s1 === p2 || s1 === s2;
  });
}

/** Days between two YYYYMMDD dates, or Infinity when either does not parse. */
export function daysBetween(a: string, b: string): number {
  const parse = (d: string) => (/^\d{8}$/.test(d) ? Date.UTC(Number(d.slice(0, 4)), Number(d.slice(4, 6)) - 1, Number(d.slice(6, 8))) : NaN);
  const diff = Math.abs(parse(a) - parse(b)) / 86_400_000;
  return Number.isFinite(diff) ? diff : Infinity;
}
