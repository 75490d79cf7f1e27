import type { EntityConfig } from '../entities/types.js';
import { matchRecords, type MatchOptions, type MatchResult } from '../match/index.js';
import type { LabelledRecords } from './febrl.js';
import { pairwiseAccuracy, type Accuracy } from './metrics.js';

export { readFebrlFile, type LabelledRecords } from './febrl.js';
export { readLabelledCsv } from './csv.js';
export { pairwiseAccuracy, pairScores, type Accuracy, type PairScope } from './metrics.js';
export { evaluateSeedTruth, SEED_TRUTH_ENTITY_TYPES, type SeedTruthEntityType, type SeedTruthEvaluation } from './seedTruth.js';

export interface Evaluation {
  /** The task's own figures: cross-source pairs for a linkage, every pair otherwise. */
  accuracy: Accuracy;
  /** Every pair of records, merges inside one source included (the same as `accuracy` for de-duplication). */
  overall: Accuracy;
  /** Pairs inside one source only: what a linkage score leaves out. */
  within: Accuracy;
  result: MatchResult;
}

/**
 * Matches labelled records (the matcher sees only the records) and scores
 * the clusters against the truth. `linkage` makes the headline figures count
 * only pairs across sources; the figures over all pairs and within sources
 * are always computed too, so merges inside a source are never invisible.
 */
export function evaluateMatching(input: LabelledRecords, config: EntityConfig, options: MatchOptions & { linkage?: boolean } = {}): Evaluation {
  const result = matchRecords(input.records, config, options);
  const truthOf = (key: string) => input.truth.get(key) ?? `unlabelled:${key}`;
  const overall = pairwiseAccuracy(result.clusters, truthOf, { scope: 'all' });
  const within = pairwiseAccuracy(result.clusters, truthOf, { scope: 'within' });
  const accuracy = options.linkage ? pairwiseAccuracy(result.clusters, truthOf, { scope: 'across' }) : overall;
  return { accuracy, overall, within, result };
}

/** The one line every evaluate form ends with; an undefined figure (no predicted or no true pair) is printed as such, never as 1. */
export function formatAccuracyLine(a: Accuracy): string {
  const precision = a.precisionDefined ? a.precision.toFixed(4) : 'undefined';
  const recall = a.recallDefined ? a.recall.toFixed(4) : 'undefined';
  const f1 = a.precisionDefined && a.recallDefined ? a.f1.toFixed(4) : 'undefined';
  const why = [!a.precisionDefined && 'no predicted pairs', !a.recallDefined && 'no true pairs'].filter(Boolean).join(', ');
  return `precision=${precision} recall=${recall} f1=${f1}${why ? ` (${why})` : ''}`;
}
