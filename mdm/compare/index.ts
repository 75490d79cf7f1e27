import type { ComparisonConfig, ComparisonLevel } from '../entities/types.js';
import type { StandardisedRecord } from '../types.js';
import { damerauLevenshtein, daysBetween, sameNameWords, jaroWinkler, jaroWinklerUpperBound, editDistanceLowerBound, soundsAlike, tokenContainment, tokenSetSimilarity } from './metrics.js';

import { distinctiveOrSamePlace, isGenericName, placesCorrespond } from './genericNames.js';
import { cachedWordVector, tokenTableName, wordCosine } from './tokenWeights.js';
import { wordSetContainment, wordSetSimilarity, wordSetsOf, type WordSets } from './wordSets.js';

export * from './genericNames.js';
export * from './metrics.js';
export * from './sharedIdentifier.js';
export * from './tokenWeights.js';

/** Term shares by table name (the score step's term frequencies): what weighted-word levels read. */
export type TermShares = Map<string, Map<string, number>>;

/** Level 0 is "null" (a side is missing: no evidence either way). */
export const NULL_LEVEL = 0;

/**
 * The compare step's output: for each candidate pair and each comparison, the
 * level reached: 0 = null, 1..L = the configured levels strongest first,
 * L + 1 = else. Typed arrays keep millions of pairs small.
 */
export interface ComparedPairs {
  count: number;
  left: Uint32Array;
  right: Uint32Array;
  /** levels[c][p]: comparison c's level for pair p. */
  levels: Uint8Array[];
}

export function compareCandidatePairs(records: StandardisedRecord[], pairs: Uint32Array, comparisons: ComparisonConfig[], tf?: TermShares): ComparedPairs {
  const count = pairs.length / 2;
  const left = new Uint32Array(count);
  const right = new Uint32Array(count);
  for (let p = 0; p < count; p++) { left[p] = pairs[2 * p]; right[p] = pairs[2 * p + 1]; }
  const levels = comparisons.map((comparison) => compareColumn(records, left, right, comparison, tf));
  return { count, left, right, levels };
}

/**
 * One comparison over every pair, column by column: each attribute's values
 * are interned to integers once, so equal values compare as integers and
 * the per-pair work is array reads (no property lookups on records); the
 * word-set levels read each value's words split once (wordSets.ts). Same
 * levels as comparePair. (A memo of fuzzy results per value pair cost more
 * in Map upkeep and garbage than it saved.)
 */
function compareColumn(records: StandardisedRecord[], left: Uint32Array, right: Uint32Array, comparison: ComparisonConfig, tf?: TermShares): Uint8Array {
  const n = records.length;
  const dictionary = new Map<string, number>();
  const values: string[] = [];
  const intern = (value: string | null | undefined): number => {
    if (value === null || value === undefined || value === '') return -1;
    let id = dictionary.get(value);
    if (id === undefined) { id = values.length; dictionary.set(value, id); values.push(value); }
    return id;
  };
  const ids = new Int32Array(n);
  const swapIds = comparison.swapWith ? new Int32Array(n) : undefined;
  const invalid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    ids[i] = intern(records[i].std[comparison.attribute]);
    if (swapIds) swapIds[i] = intern(records[i].std[comparison.swapWith!]);
    if (records[i].valid[comparison.attribute] === false) invalid[i] = 1;
  }
  const exactFirst = comparison.levels[0]?.kind === 'exact';
  const shares = wordShares(comparison, tf);
  const only = comparison.levels.length === 1 ? comparison.levels[0] : undefined;
  if (only?.kind === 'distinctiveOrSamePlace') return compareGenericNameColumn(records, left, right, comparison, only, ids, values, invalid, shares);
  const place = placeAttribute(comparison);
  // One pair of places, refilled per pair (no allocation for millions of pairs).
  const places: [string | null, string | null] = [null, null];
  const sets = comparison.levels.some((l) => l.kind === 'tokenSet' || l.kind === 'tokenContainment') ? wordSetsOf(values) : undefined;
  const level = (x: number, y: number): number => {
    if (x < 0 || y < 0) return NULL_LEVEL;
    if (x === y && exactFirst) return 1;
    return valueLevel(values[x], values[y], comparison.levels, shares, place ? places : undefined, sets, x, y);
  };
  const conflict = conflictLevel(comparison);
  const out = new Uint8Array(left.length);
  for (let p = 0; p < left.length; p++) {
    const i = left[p]; const j = right[p];
    if (place) { places[0] = records[i].std[place] ?? null; places[1] = records[j].std[place] ?? null; }
    const direct = level(ids[i], ids[j]);
    if (conflict >= 0) {
      out[p] = direct !== NULL_LEVEL && direct !== 1 && !invalid[i] && !invalid[j] ? conflict : direct;
    } else if (!swapIds || direct === 1) {
      out[p] = direct;
    } else {
      // A swapped field (surname typed as given name) is as good as the direct value.
      const swapped = level(ids[i], swapIds[j]);
      out[p] = swapped === NULL_LEVEL ? direct : direct === NULL_LEVEL ? (swapped === 1 ? swapped : direct) : Math.min(direct, swapped);
    }
  }
  return out;
}

/**
 * compareColumn for a comparison whose only level is the generic-name one
 * (see genericNames.ts), the same levels as compareValues gives: a name's
 * genericness belongs to the value, so it is worked out once per distinct
 * name, and the places are interned, so most pairs (same place, or a
 * distinctive name) cost a few array reads; a Jaro-Winkler on the places is
 * left for two generic names in different places. Without this the
 * comparison took about a third of the compare step at 200,000 companies.
 */
function compareGenericNameColumn(
  records: StandardisedRecord[],
  left: Uint32Array,
  right: Uint32Array,
  comparison: ComparisonConfig,
  level: Extract<ComparisonLevel, { kind: 'distinctiveOrSamePlace' }>,
  ids: Int32Array,
  values: string[],
  invalid: Uint8Array,
  shares: Map<string, number> | undefined,
): Uint8Array {
  const placeIds = new Int32Array(records.length);
  const placeDictionary = new Map<string, number>();
  const places: string[] = [];
  for (let i = 0; i < records.length; i++) {
    const place = records[i].std[level.place];
    if (place === null || place === undefined || place === '') { placeIds[i] = -1; continue; }
    let id = placeDictionary.get(place);
    if (id === undefined) { id = places.length; placeDictionary.set(place, id); places.push(place); }
    placeIds[i] = id;
  }
  // Per name value: 0 not worked out yet, 1 distinctive, 2 generic.
  const generic = new Uint8Array(values.length);
  const isGeneric = (x: number): boolean => {
    if (generic[x] === 0) generic[x] = isGenericName(values[x], shares, level.commonRecords) ? 2 : 1;
    return generic[x] === 2;
  };
  const notReached = comparison.conflictWeight === undefined ? 2 : conflictLevel(comparison);
  const out = new Uint8Array(left.length);
  for (let p = 0; p < left.length; p++) {
    const i = left[p]; const j = right[p];
    const x = ids[i]; const y = ids[j];
    if (x < 0 || y < 0) { out[p] = NULL_LEVEL; continue; }
    const a = placeIds[i]; const b = placeIds[j];
    const twoCompanies = a >= 0 && b >= 0 && a !== b && isGeneric(x) && isGeneric(y) && !placesCorrespond(places[a], places[b]);
    // As in compareColumn: an invalid value is not a conflict (this attribute has no validator in the shipped configs).
    out[p] = !twoCompanies ? 1 : notReached === 2 || (!invalid[i] && !invalid[j]) ? notReached : 2;
  }
  return out;
}

/** The number of levels of a comparison, null and else (and conflict) included. */
export function levelCount(comparison: ComparisonConfig): number {
  return comparison.levels.length + (comparison.conflictWeight === undefined ? 2 : 3);
}

/** The index of the "conflict" level of an identifier comparison (see ComparisonConfig.conflictWeight), or -1. */
export function conflictLevel(comparison: ComparisonConfig): number {
  return comparison.conflictWeight === undefined ? -1 : comparison.levels.length + 2;
}

/** One comparison's level for one pair (see ComparedPairs for the numbering). */
export function comparePair(a: StandardisedRecord, b: StandardisedRecord, comparison: ComparisonConfig, tf?: TermShares): number {
  const shares = wordShares(comparison, tf);
  const place = placeAttribute(comparison);
  const places: readonly [string | null, string | null] | undefined = place ? [a.std[place] ?? null, b.std[place] ?? null] : undefined;
  if (comparison.conflictWeight !== undefined) {
    const level = compareValues(a.std[comparison.attribute], b.std[comparison.attribute], comparison.levels, shares, places);
    // Unvalidated attributes (no validator: valid[...] undefined) count as valid.
    if (level !== NULL_LEVEL && level !== 1 && a.valid[comparison.attribute] !== false && b.valid[comparison.attribute] !== false) {
      return comparison.levels.length + 2;
    }
    return level;
  }
  const direct = compareValues(a.std[comparison.attribute], b.std[comparison.attribute], comparison.levels, shares, places);
  if (!comparison.swapWith || direct === 1) return direct;
  // A swapped field (surname typed as given name) is as good as the direct value.
  const swapped = compareValues(a.std[comparison.attribute], b.std[comparison.swapWith], comparison.levels, shares);
  if (swapped === NULL_LEVEL) return direct;
  if (direct === NULL_LEVEL) return swapped === 1 ? swapped : direct;
  return Math.min(direct, swapped);
}

/** Whether a comparison weighs words by rarity, so its words are counted (see tokenWeights.ts, genericNames.ts). */
export function countsWords(comparison: ComparisonConfig): boolean {
  return comparison.levels.some((l) => l.kind === 'wordCosine' || l.kind === 'distinctiveOrSamePlace');
}

/** The other attribute a comparison's levels read beside its own (the place of a generic name), if any. */
export function placeAttribute(comparison: ComparisonConfig): string | undefined {
  for (const l of comparison.levels) if (l.kind === 'distinctiveOrSamePlace') return l.place;
  return undefined;
}

function wordShares(comparison: ComparisonConfig, tf: TermShares | undefined): Map<string, number> | undefined {
  return tf && countsWords(comparison) ? tf.get(tokenTableName(comparison.attribute)) : undefined;
}

/** `places`: the two records' values of the attribute a `distinctiveOrSamePlace` level reads (see placeAttribute). */
export function compareValues(
  a: string | null | undefined,
  b: string | null | undefined,
  levels: ComparisonLevel[],
  shares?: Map<string, number>,
  places?: readonly [string | null, string | null],
): number {
  return valueLevel(a, b, levels, shares, places, undefined, -1, -1);
}

/** compareValues, with the column's word sets when it has them (a and b are then its values aId and bId). */
function valueLevel(
  a: string | null | undefined,
  b: string | null | undefined,
  levels: ComparisonLevel[],
  shares: Map<string, number> | undefined,
  places: readonly [string | null, string | null] | undefined,
  sets: WordSets | undefined,
  aId: number,
  bId: number,
): number {
  if (a === null || a === undefined || b === null || b === undefined || a === '' || b === '') return NULL_LEVEL;
  let cosine: number | undefined;
  let jw: number | undefined;
  let jwBound: number | undefined;
  let dl: number | undefined;
  let dlBound: number | undefined;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    let reached = false;
    switch (level.kind) {
      case 'exact': reached = a === b; break;
      case 'jaroWinkler':
        jwBound ??= jaroWinklerUpperBound(a, b);
        if (jwBound < level.min) break;
        jw ??= jaroWinkler(a, b); reached = jw >= level.min; break;
      case 'damerau':
        dlBound ??= editDistanceLowerBound(a, b);
        if (dlBound > level.max) break;
        dl ??= damerauLevenshtein(a, b); reached = dl <= level.max; break;
      case 'tokenSet': reached = (sets ? wordSetSimilarity(sets, aId, bId) : tokenSetSimilarity(a, b)) >= level.min; break;
      case 'tokenContainment': reached = (sets ? wordSetContainment(sets, aId, bId) : tokenContainment(a, b)) >= level.min; break;
      case 'wordCosine':
        cosine ??= a === b ? 1 : wordCosine(cachedWordVector(a, shares), cachedWordVector(b, shares));
        reached = cosine >= level.min; break;
      case 'ratio': {
        const x = Number(a); const y = Number(b);
        const high = Math.max(x, y); const low = Math.min(x, y);
        reached = Number.isFinite(x) && Number.isFinite(y) && low > 0 && high / low <= level.max;
        break;
      }
      case 'sameNameWords': reached = sameNameWords(a, b); break;
      case 'distinctiveOrSamePlace': reached = distinctiveOrSamePlace(a, b, places?.[0], places?.[1], shares, level.commonRecords); break;
      case 'phonetic': reached = soundsAlike(a, b); break;
      case 'numeric': {
        const x = Number(a); const y = Number(b);
        const scale = Math.max(Math.abs(x), Math.abs(y));
        reached = Number.isFinite(x) && Number.isFinite(y) && (scale === 0 || Math.abs(x - y) / scale <= level.maxRelative);
        break;
      }
      case 'dateDays': reached = daysBetween(a, b) <= level.maxDays; break;
      case 'prefix': reached = a.slice(0, level.length) === b.slice(0, level.length); break;
    }
    if (reached) return i + 1;
  }
  return levels.length + 1;
}

/** A readable name for a level, used in explanations: 'exact', 'jaroWinkler>=0.92', 'else', 'null'. */
export function levelLabel(levels: ComparisonLevel[], index: number): string {
  if (index === NULL_LEVEL) return 'null';
  if (index === levels.length + 2) return 'conflict';
  if (index > levels.length) return 'else';
  const level = levels[index - 1];
  switch (level.kind) {
    case 'exact': return 'exact';
    case 'jaroWinkler': return `jaroWinkler>=${level.min}`;
    case 'damerau': return `damerau<=${level.max}`;
    case 'tokenSet': return `tokenSet>=${level.min}`;
    case 'tokenContainment': return `tokenContainment>=${level.min}`;
    case 'wordCosine': return `wordCosine>=${level.min}`;
    case 'ratio': return `ratio<=${level.max}`;
    case 'sameNameWords': return 'sameNameWords';
    case 'distinctiveOrSamePlace': return `distinctiveOrSame(${level.place})`;
    case 'phonetic': return 'phonetic';
    case 'numeric': return `numeric<=${level.maxRelative * 100}%`;
    case 'dateDays': return `days<=${level.maxDays}`;
    case 'prefix': return `prefix${level.length}`;
  }
}
