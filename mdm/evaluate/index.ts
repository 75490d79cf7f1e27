import type { EntityConfig } from '../entities/types.js';
import { matchRecords, type MatchOptions, type MatchResult } from '../match/index.js';
import type { LabelledRecords } from './febrl.js';
import { pairwiseAccuracy, type Accuracy } from './metrics.js';

export { readFebrlFile, type LabelledRecords } from './febrl.js';
export { readLabelledCsv } from './csv.js';
export { pairwiseAccuracy, type Accuracy, type PairScope } from './metrics.js';
export { evaluateSeedTruth, SEED_TRUTH_ENTITY_TYPES, type SeedTruthEntityType, type SeedTruthEvaluation } from './seedTruth.js';

export interface Evaluation {
  accuracy: Accuracy;
  result: MatchResult;
}

/**
 * Matches labelled records (the matcher sees only the records) and scores
 * the clusters against the truth. `linkage` counts only pairs across sources.
 */
export function evaluateMatching(input: LabelledRecords, config: EntityConfig, options: MatchOptions & { linkage?: boolean } = {}): Evaluation {
  const result = matchRecords(input.records, config, options);
  const accuracy = pairwiseAccuracy(result.clusters, (key) => input.truth.get(key) ?? `unlabelled:${key}`, { linkage: options.linkage });
  return { accuracy, result };
}

/** The one line every evaluate form ends with. */
export function formatAccuracyLine(a: Accuracy): string {
  return `precision=${a.precision.toFixed(4)} recall=${a.recall.toFixed(4)} f1=${a.f1.toFixed(4)}`;
}
