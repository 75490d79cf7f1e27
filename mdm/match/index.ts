import { blockCandidatePairs } from '../block/index.js';
import { clusterRecords, pairKey, type Cluster, type ClusterEdge, type IndexPairs } from '../cluster/index.js';
import type { EntityConfig } from '../entities/types.js';
import { compareCandidatePairs, sharesIdentifier, type TermShares } from '../compare/index.js';
import { decisionAt, estimateModel, scoreWeights, termFrequencies, type FellegiSunterModel } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import type { MatchDecision, SourceRecord, StandardisedRecord } from '../types.js';
import { deterministicEdges } from './deterministic.js';
import { bestCrossSourceWeights, oneToOneFloor, oneToOneOf, oneToOneOutcome } from './oneToOne.js';

export { deterministicEdges } from './deterministic.js';

export type MatchStep = 'standardise' | 'block' | 'compare' | 'train' | 'score' | 'cluster';

export interface MatchOptions {
  /** 'model' (Fellegi-Sunter, the default) or 'deterministic' (the config's exact rules). */
  mode?: 'model' | 'deterministic';
  /** A trained model to reuse; without one the model is estimated from these records. */
  model?: FellegiSunterModel;
  /** Steward rulings: pairs never to merge, pairs always merged. */
  cannotLink?: [string, string][];
  mustLink?: [string, string][];
  /** Called as each step starts and finishes, for progress bars. */
  onProgress?: (step: MatchStep, done: number, total: number) => void;
  /** Seed for the random pairs that estimate u. @default 42 */
  seed?: number;
}

export interface MatchResult {
  records: StandardisedRecord[];
  clusters: Cluster[];
  /** Scored pairs at or above the review threshold (merge and review outcomes). */
  decisions: MatchDecision[];
  candidatePairs: number;
  autoMerged: number;
  queued: number;
  model?: FellegiSunterModel;
  timingsMs: Partial<Record<MatchStep, number>>;
}

/**
 * The batch pipeline over records held in memory:
 * standardise → block → compare → train (u from random pairs, m by EM) →
 * score → cluster. Steward rulings are applied in the cluster step. Pure: no
 * database, so it serves the store's batch, the evaluate command and tests.
 */
export function matchRecords(input: (SourceRecord | StandardisedRecord)[], config: EntityConfig, options: MatchOptions = {}): MatchResult {
  const timingsMs: MatchResult['timingsMs'] = {};
  const progress = options.onProgress ?? (() => {});
  const timed = <T>(step: MatchStep, total: number, run: () => T): T => {
    const start = performance.now();
    progress(step, 0, total);
    const value = run();
    progress(step, total, total);
    timingsMs[step] = Math.round(performance.now() - start);
    return value;
  };
  const records = timed('standardise', input.length, () =>
    input.map((r) => ('std' in r && 'key' in r ? (r as StandardisedRecord) : standardiseRecord(r, config.attributes))));
  const keys = records.map((r) => r.key);
  const forced: ClusterEdge[] = (options.mustLink ?? []).map(([left, right]) => ({ left, right, weight: Infinity, probability: 1, rule: 'steward', forced: true }));

  if (options.mode === 'deterministic') {
    const edges = timed('block', records.length, () => deterministicEdges(records, config));
    const clusters = timed('cluster', edges.length, () => clusterRecords(keys, [...forced, ...edges], { cannotLink: options.cannotLink }));
    return { records, clusters, decisions: [], candidatePairs: edges.length, autoMerged: edges.length, queued: 0, timingsMs };
  }

  const pairs = timed('block', records.length, () => blockCandidatePairs(records, config.blocking));
  const tf = termFrequencies(records, config.comparisons);
  const comparisons = timed('compare', pairs.length / 2, () => compareCandidatePairs(records, pairs, config.comparisons, tf));
  const model = options.model ?? timed('train', comparisons.count, () => estimateModel(records, comparisons, config.comparisons, {
    seed: options.seed ?? 42, entityType: config.entityType, tf, scale: config.model?.scale, monotone: config.comparisons.map((c) => !!c.monotone), oneToOne: config.cluster?.oneToOne,
  }));
  const weights = timed('score', comparisons.count, () => scoreWeights(records, comparisons, model, config, tf));
  const oneToOne = oneToOneOf(config);
  const systems = oneToOne ? records.map((r) => r.system) : [];
  const best = oneToOne ? bestCrossSourceWeights(systems, comparisons.left, comparisons.right, weights) : undefined;

  const cannot = new Set((options.cannotLink ?? []).map(([a, b]) => pairKey(a, b)));
  const mergeWeight = probabilityToWeight(config.thresholds.merge);
  const reviewWeight = probabilityToWeight(config.thresholds.review);
  const edges: ClusterEdge[] = [];
  const decisions: MatchDecision[] = [];
  let autoMerged = 0; let queued = 0;
  const prior = Math.log2(model.lambda / (1 - model.lambda));
  const floor = oneToOne ? oneToOneFloor(oneToOne, prior, reviewWeight) : reviewWeight;
  for (let p = 0; p < comparisons.count; p++) {
    // Only pairs above the review threshold (or one-to-one's floor) become decision objects (with explanations).
    if (weights[p] < floor) continue;
    const decision = decisionAt(records, comparisons, p, weights[p], model, config, tf);
    if (oneToOne) {
      const i = comparisons.left[p]; const j = comparisons.right[p];
      decision.outcome = oneToOneOutcome(oneToOne, weights[p], prior, { mergeWeight, reviewWeight }, systems[i], systems[j], best![i], best![j]);
    }
    if (decision.outcome === 'distinct') continue;
    if (cannot.size > 0 && cannot.has(pairKey(decision.left, decision.right))) continue;
    decisions.push(decision);
    if (decision.outcome === 'merge') {
      autoMerged++;
      const identifier = sharesIdentifier(records[comparisons.left[p]], records[comparisons.right[p]], config.comparisons);
      edges.push({ left: decision.left, right: decision.right, weight: decision.weight, probability: decision.probability, rule: 'fellegi-sunter', ...(identifier ? { identifier } : {}) });
    } else {
      queued++;
    }
  }
  const clusters = timed('cluster', edges.length, () => clusterRecords(keys, [...forced, ...edges], {
    cannotLink: options.cannotLink,
    scoredIndexed: { left: comparisons.left, right: comparisons.right, weight: weights },
    guard: { supportWeight: reviewWeight, ...config.cluster, vetoWeight: config.cluster?.vetoWeight ?? -10 },
    scoreUnscored: (unscored) => scoreRecordPairs(records, unscored, model, config, tf),
  }));
  return { records, clusters, decisions, candidatePairs: comparisons.count, autoMerged, queued, model, timingsMs };
}

/**
 * Pairs no blocking rule compared, scored as the batch scores its candidate
 * pairs (compare, then the model's weights with the batch's term
 * frequencies), for the cluster step's cohesion check. Compares only the
 * records in those pairs, so the cost follows their number, not the batch's.
 */
function scoreRecordPairs(records: StandardisedRecord[], pairs: IndexPairs, model: FellegiSunterModel, config: EntityConfig, tf: TermShares): Float64Array {
  const local = new Map<number, number>();
  const subset: StandardisedRecord[] = [];
  const localOf = (i: number): number => {
    let l = local.get(i);
    if (l === undefined) { l = subset.length; local.set(i, l); subset.push(records[i]); }
    return l;
  };
  const interleaved = new Uint32Array(pairs.left.length * 2);
  for (let p = 0; p < pairs.left.length; p++) { interleaved[2 * p] = localOf(pairs.left[p]); interleaved[2 * p + 1] = localOf(pairs.right[p]); }
  return scoreWeights(subset, compareCandidatePairs(subset, interleaved, config.comparisons, tf), model, config, tf);
}

export function probabilityToWeight(p: number): number {
  const clamped = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
  return Math.log2(clamped / (1 - clamped));
}

export function weightToProbability(w: number): number {
  return 1 / (1 + 2 ** -w);
}
