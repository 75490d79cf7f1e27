import type { ComparisonConfig, ComparisonLevel } from '../entities/types.js';
import type { StandardisedRecord } from '../types.js';
import { damerauLevenshtein, daysBetween, jaroWinkler, soundsAlike, tokenSetSimilarity } from './metrics.js';

export * from './metrics.js';

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

export function compareCandidatePairs(records: StandardisedRecord[], pairs: Uint32Array, comparisons: ComparisonConfig[]): ComparedPairs {
  const count = pairs.length / 2;
  const left = new Uint32Array(count);
  const right = new Uint32Array(count);
  for (let p = 0; p < count; p++) { left[p] = pairs[2 * p]; right[p] = pairs[2 * p + 1]; }
  const levels = comparisons.map((comparison) => {
    const out = new Uint8Array(count);
    for (let p = 0; p < count; p++) out[p] = comparePair(records[left[p]], records[right[p]], comparison);
    return out;
  });
  return { count, left, right, levels };
}

/** One comparison's level for one pair (see ComparedPairs for the numbering). */
export function comparePair(a: StandardisedRecord, b: StandardisedRecord, comparison: ComparisonConfig): number {
  const direct = compareValues(a.std[comparison.attribute], b.std[comparison.attribute], comparison.levels);
  if (!comparison.swapWith || direct === 1) return direct;
  // A swapped field (surname typed as given name) is as good as the direct value.
  const swapped = compareValues(a.std[comparison.attribute], b.std[comparison.swapWith], comparison.levels);
  if (swapped === NULL_LEVEL) return direct;
  if (direct === NULL_LEVEL) return swapped === 1 ? swapped : direct;
  return Math.min(direct, swapped);
}

export function compareValues(a: string | null | undefined, b: string | null | undefined, levels: ComparisonLevel[]): number {
  if (a === null || a === undefined || b === null || b === undefined || a === '' || b === '') return NULL_LEVEL;
  let jw: number | undefined;
  let dl: number | undefined;
  for (let i = 0; i < levels.length; i++) {
    const level = levels[i];
    let reached = false;
    switch (level.kind) {
      case 'exact': reached = a === b; break;
      case 'jaroWinkler': jw ??= jaroWinkler(a, b); reached = jw >= level.min; break;
      case 'damerau': dl ??= damerauLevenshtein(a, b); reached = dl <= level.max; break;
      case 'tokenSet': reached = tokenSetSimilarity(a, b) >= level.min; break;
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
  if (index > levels.length) return 'else';
  const level = levels[index - 1];
  switch (level.kind) {
    case 'exact': return 'exact';
    case 'jaroWinkler': return `jaroWinkler>=${level.min}`;
    case 'damerau': return `damerau<=${level.max}`;
    case 'tokenSet': return `tokenSet>=${level.min}`;
    case 'phonetic': return 'phonetic';
    case 'numeric': return `numeric<=${level.maxRelative * 100}%`;
    case 'dateDays': return `days<=${level.maxDays}`;
    case 'prefix': return `prefix${level.length}`;
  }
}
