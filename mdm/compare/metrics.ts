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

const charCounts = new Int32Array(128);

/**
 * A cheap upper bound of jaroWinkler(a, b): Jaro's matching characters are at
 * most the characters the two strings share (counted in 128 buckets; a
 * collision only raises the bound), and the Winkler bonus at most the real
 * common prefix. Most pairs in a block are clearly different, and this
 * settles them without the quadratic Jaro scan.
 */
export function jaroWinklerUpperBound(a: string, b: string): number {
  if (a.length === 0 || b.length === 0) return 0;
  for (let i = 0; i < a.length; i++) charCounts[a.charCodeAt(i) & 127]++;
  let common = 0;
  for (let i = 0; i < b.length; i++) {
    const c = b.charCodeAt(i) & 127;
    if (charCounts[c] > 0) { charCounts[c]--; common++; }
  }
  for (let i = 0; i < a.length; i++) charCounts[a.charCodeAt(i) & 127] = 0;
  if (common === 0) return 0;
  const jaro = Math.min(1, (common / a.length + common / b.length + 1) / 3);
  let prefix = 0;
  while (prefix < 4 && prefix < a.length && prefix < b.length && a[prefix] === b[prefix]) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

/**
 * A cheap lower bound of the Damerau-Levenshtein distance: each edit changes
 * the two strings' character counts by at most 2 in total (a transposition
 * by none), so the distance is at least half their count difference, and at
 * least the length difference.
 */
export function editDistanceLowerBound(a: string, b: string): number {
  for (let i = 0; i < a.length; i++) charCounts[a.charCodeAt(i) & 127]++;
  for (let i = 0; i < b.length; i++) charCounts[b.charCodeAt(i) & 127]--;
  let difference = 0;
  for (let i = 0; i < a.length; i++) { const c = a.charCodeAt(i) & 127; difference += Math.abs(charCounts[c]); charCounts[c] = 0; }
  for (let i = 0; i < b.length; i++) { const c = b.charCodeAt(i) & 127; difference += Math.abs(charCounts[c]); charCounts[c] = 0; }
  return Math.max(Math.abs(a.length - b.length), Math.ceil(difference / 2));
}

/** Jaccard similarity of the two values' word sets. */
export function tokenSetSimilarity(a: string, b: string): number {
  const left = new Set(a.split(' '));
  const right = new Set(b.split(' '));
  let common = 0;
  for (const t of left) if (right.has(t)) common++;
  return common / (left.size + right.size - common);
}

/** Overlap coefficient of the two values' word sets: common words over the smaller set's size. */
export function tokenContainment(a: string, b: string): number {
  const left = new Set(a.split(' '));
  const right = new Set(b.split(' '));
  let common = 0;
  for (const t of left) if (right.has(t)) common++;
  return common / Math.min(left.size, right.size);
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

/**
 * Whether two company names (standardised: legal form gone, abbreviations
 * expanded where the standardiser knows them) name the same company as far as
 * their words go: every word of one has a counterpart in the other, equal, a
 * typo of it (an edit per four letters), an abbreviation of it ("sol" /
 * "solutions", "maschb" / "maschinenbau": same first letter, letters in
 * order) or a part of it ("technik" / "elektrotechnik"); or the words the two
 * names do not share, run together, correspond ("nova core" / "novacore").
 * Filler left over (a misspelt "company", a conjunction, a single letter)
 * does not count. A real word left over on either side is the
 * parent/subsidiary or sister-company pattern: "Vectorfield Industries" /
 * "Vectorfield Services", "Silverdata" / "Silverdata Solutions", "Moreau &
 * Gautier" / "Moreau Industrie". Hand-written: no string library has this
 * notion.
 */
export function sameNameWords(a: string, b: string): boolean {
  if (a === b) return true;
  const left = a.split(' ').filter((w) => w !== '');
  const right = b.split(' ').filter((w) => w !== '');
  const restLeft = left.filter((w) => !right.includes(w) && !isFiller(w));
  const restRight = right.filter((w) => !left.includes(w) && !isFiller(w));
  if (restLeft.length === 0 && restRight.length === 0) return true;
  const unpaired = [...restRight];
  let allPaired = true;
  for (const w of restLeft) {
    const k = unpaired.findIndex((v) => wordsCorrespond(w, v));
    if (k < 0) { allPaired = false; break; }
    unpaired.splice(k, 1);
  }
  if (allPaired && unpaired.length === 0) return true;
  // Words split or run together differently on both sides; a name that is the other plus a word is not that.
  if (restLeft.length === 0 || restRight.length === 0) return false;
  return wordsCorrespond(restLeft.join(''), restRight.join(''));
}

/** Words a clerk adds or drops without naming another company: legal words the standardiser missed (misspelt), conjunctions. */
const FILLER = ['company', 'corporation', 'incorporated', 'limited', 'and', 'und'];

function isFiller(word: string): boolean {
  return word.length <= 1 || FILLER.some((f) => isTypo(word, f));
}

function isTypo(a: string, b: string): boolean {
  const shorter = Math.min(a.length, b.length);
  if (shorter < 2) return a === b;
  const allowed = Math.ceil(shorter / 4);
  return editDistanceLowerBound(a, b) <= allowed && damerauLevenshtein(a, b) <= allowed;
}

/** One word a typo, an abbreviation or a part of the other. */
function wordsCorrespond(a: string, b: string): boolean {
  if (a === b || isTypo(a, b)) return true;
  const [short, long] = a.length <= b.length ? [a, b] : [b, a];
  if (short.length < 2 || short.length === long.length) return false;
  if (short.length >= 4 && long.includes(short)) return true;
  if (short[0] !== long[0]) return false;
  let i = 0;
  for (let j = 0; j < long.length && i < short.length; j++) if (long[j] === short[i]) i++;
  return i === short.length;
}
