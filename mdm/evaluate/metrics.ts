import type { Cluster } from '../cluster/index.js';

/** Pairwise and cluster accuracy of a clustering against the truth. */
export interface Accuracy {
  /** True positives over predicted pairs; 0 when nothing was predicted (then `precisionDefined` is false: say "undefined", never 1). */
  precision: number;
  /** True positives over true pairs; 0 when there are no true pairs (then `recallDefined` is false). */
  recall: number;
  /** 0 when precision or recall is undefined. */
  f1: number;
  precisionDefined: boolean;
  recallDefined: boolean;
  truePositives: number;
  predictedPairs: number;
  truePairs: number;
  predictedClusters: number;
  trueClusters: number;
  /** Share of true entities whose records form exactly one predicted cluster. */
  clusterExactness: number;
}

/**
 * Which record pairs count: 'all'; 'across' sources only (linkage: records
 * of A linked to B); 'within' one source only (de-duplication of a system).
 */
export type PairScope = 'all' | 'across' | 'within';

/**
 * Scores clusters against truth labels, over pairs of records: a predicted
 * pair is two records in one cluster, a true pair two records with one truth
 * label. With `linkage` (= scope 'across'), only pairs from different sources
 * count, as in a linkage task; scope 'within' counts only same-source pairs.
 */
export function pairwiseAccuracy(
  clusters: Cluster[],
  truthOf: (key: string) => string,
  options: { linkage?: boolean; scope?: PairScope; sourceOf?: (key: string) => string } = {},
): Accuracy {
  const sourceOf = options.sourceOf ?? ((key: string) => key.slice(0, key.indexOf(':')));
  const scope: PairScope = options.scope ?? (options.linkage ? 'across' : 'all');
  const pairsAmong = (keys: string[]): number => {
    const n = keys.length;
    const all = (n * (n - 1)) / 2;
    if (scope === 'all') return all;
    let within = 0;
    const bySource = new Map<string, number>();
    for (const k of keys) bySource.set(sourceOf(k), (bySource.get(sourceOf(k)) ?? 0) + 1);
    for (const c of bySource.values()) within += (c * (c - 1)) / 2;
    return scope === 'within' ? within : all - within;
  };
  let predictedPairs = 0; let truePositives = 0;
  const truthGroups = new Map<string, string[]>();
  const clusterOfTruth = new Map<string, Set<number>>();
  clusters.forEach((cluster, index) => {
    predictedPairs += pairsAmong(cluster.members);
    const byTruth = new Map<string, string[]>();
    for (const key of cluster.members) {
      const t = truthOf(key);
      (byTruth.get(t) ?? byTruth.set(t, []).get(t)!).push(key);
      (truthGroups.get(t) ?? truthGroups.set(t, []).get(t)!).push(key);
      (clusterOfTruth.get(t) ?? clusterOfTruth.set(t, new Set()).get(t)!).add(index);
    }
    for (const keys of byTruth.values()) truePositives += pairsAmong(keys);
  });
  let truePairs = 0; let exact = 0;
  for (const [t, keys] of truthGroups) {
    truePairs += pairsAmong(keys);
    const owners = clusterOfTruth.get(t)!;
    if (owners.size === 1 && clusters[[...owners][0]].members.length === keys.length) exact++;
  }
  return {
    ...pairScores(truePositives, predictedPairs, truePairs), truePositives, predictedPairs, truePairs,
    predictedClusters: clusters.length, trueClusters: truthGroups.size, clusterExactness: exact / Math.max(1, truthGroups.size),
  };
}

/**
 * Precision, recall and F1 from pair counts. With no predicted pair precision
 * is undefined, not 1: a matcher that links nothing must not look perfect
 * (it is reported as 0 with `precisionDefined: false`); likewise recall with
 * no true pair.
 */
export function pairScores(truePositives: number, predictedPairs: number, truePairs: number): Pick<Accuracy, 'precision' | 'recall' | 'f1' | 'precisionDefined' | 'recallDefined'> {
  const precisionDefined = predictedPairs > 0;
  const recallDefined = truePairs > 0;
  const precision = precisionDefined ? truePositives / predictedPairs : 0;
  const recall = recallDefined ? truePositives / truePairs : 0;
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, precisionDefined, recallDefined };
}
