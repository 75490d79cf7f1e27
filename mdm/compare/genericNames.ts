import { jaroWinkler, jaroWinklerUpperBound } from './metrics.js';
import type { WordShares } from './tokenWeights.js';

/**
 * Generic company names and the places they are found in: the negative
 * evidence "different city for a generic name" (level
 * `distinctiveOrSamePlace`).
 *
 * A name is generic when the records expected to hold all its words by
 * chance reach `commonRecords`: the records counted × the product of the
 * words' shares, i.e. e^(−Σ IDF) with the document frequencies the TF-IDF
 * cosine weighs words by (the engine's own counts, batch and incremental
 * alike). A name made of common words only ("global trading", a common
 * surname and a sector word "janssens services", a frequent brand
 * "zenithpoint") is borne by several companies, and their city is what tells
 * them apart. A name with one rare word ("vectorfield industries"), or of two
 * common words that seldom meet ("hugel and schnurer": each surname common,
 * the pair not), names one company wherever its records put it, so a second
 * city there is a move or a branch. Filler ("and", "company") is in most
 * names and weighs nothing in the product, as in the cosine.
 *
 * Written here: it reads the engine's word counts, as tokenWeights.ts does.
 */

/** Whether the records expected to hold every word of `name` (see above) are at least `commonRecords`. Without counts: not generic. */
export function isGenericName(name: string, shares: WordShares | undefined, commonRecords: number): boolean {
  // The '' entry is the share of a word seen once, 1 / records counted (see termFrequencies); without it the counts are unknown.
  const once = shares?.get('');
  if (!shares || once === undefined) return false;
  let cache = expectedCache.get(shares);
  if (!cache) { cache = new Map(); expectedCache.set(shares, cache); }
  let expected = cache.get(name);
  if (expected === undefined) {
    expected = 1 / once;
    for (const word of new Set(name.split(' '))) if (word !== '') expected *= shares.get(word) ?? once;
    if (cache.size > 200_000) cache.clear();
    cache.set(name, expected);
  }
  return expected >= commonRecords;
}

/** Per shares table (one per batch or incremental call): name → records expected to hold all its words. */
const expectedCache = new WeakMap<WordShares, Map<string, number>>();

/** Two standardised places (cities) that name the same place: equal, or a typo apart (Jaro-Winkler ≥ 0.9, the city comparison's fuzzy level). */
export function placesCorrespond(a: string, b: string): boolean {
  return a === b || (jaroWinklerUpperBound(a, b) >= 0.9 && jaroWinkler(a, b) >= 0.9);
}

/**
 * The level `distinctiveOrSamePlace`: false (two companies) only when both
 * places are present and differ and both names are generic.
 */
export function distinctiveOrSamePlace(
  a: string,
  b: string,
  placeA: string | null | undefined,
  placeB: string | null | undefined,
  shares: WordShares | undefined,
  commonRecords: number,
): boolean {
  if (!placeA || !placeB || placesCorrespond(placeA, placeB)) return true;
  return !(isGenericName(a, shares, commonRecords) && isGenericName(b, shares, commonRecords));
}
