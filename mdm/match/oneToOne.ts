import type { EntityConfig, OneToOneLinkage } from '../entities/types.js';

export type { OneToOneLinkage } from '../entities/types.js';

/** The outcome of a scored pair under one-to-one linkage (replaces the thresholds' outcome). */
export function oneToOneOutcome(
  linkage: OneToOneLinkage,
  weight: number,
  prior: number,
  thresholds: { mergeWeight: number; reviewWeight: number },
  leftSystem: string,
  rightSystem: string,
  leftBest: number,
  rightBest: number,
): 'merge' | 'review' | 'distinct' {
  const wanted = weight >= thresholds.mergeWeight || (leftSystem !== rightSystem && weight - prior >= (linkage.minEvidenceBits ?? 0));
  if (wanted && oneToOneAccepts(linkage, weight, leftSystem, rightSystem, leftBest, rightBest)) return 'merge';
  return weight >= thresholds.reviewWeight ? 'review' : 'distinct';
}

/** The lowest weight one-to-one linkage may merge at (pairs below it need no decision object). */
export function oneToOneFloor(linkage: OneToOneLinkage, prior: number, reviewWeight: number): number {
  return Math.min(reviewWeight, prior + (linkage.minEvidenceBits ?? 0));
}

/**
 * Which merge-worthy pairs stand under one-to-one linkage. `best` holds each
 * record's best cross-source weight over every scored pair (accepted or not).
 * Returns false for a pair to demote to review.
 */
export function oneToOneAccepts(
  linkage: OneToOneLinkage,
  weight: number,
  leftSystem: string,
  rightSystem: string,
  leftBest: number,
  rightBest: number,
): boolean {
  if (leftSystem === rightSystem) return weight >= (linkage.strongWithinWeight ?? 20);
  const slack = linkage.nearBestBits ?? 1;
  return weight >= leftBest - slack && weight >= rightBest - slack;
}

/** Each record's best cross-source weight over the scored pairs (−Infinity when it has none). */
export function bestCrossSourceWeights(systems: string[], left: Uint32Array, right: Uint32Array, weights: Float64Array): Float64Array {
  const best = new Float64Array(systems.length).fill(-Infinity);
  for (let p = 0; p < left.length; p++) {
    const i = left[p]; const j = right[p];
    if (systems[i] === systems[j]) continue;
    if (weights[p] > best[i]) best[i] = weights[p];
    if (weights[p] > best[j]) best[j] = weights[p];
  }
  return best;
}

export function oneToOneOf(config: EntityConfig): OneToOneLinkage | undefined {
  return config.cluster?.oneToOne;
}
