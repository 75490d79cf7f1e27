import { comparePair, conflictLevel, levelCount, levelLabel, NULL_LEVEL, type ComparedPairs } from '../compare/index.js';
import type { ComparisonConfig, EntityConfig } from '../entities/types.js';
import type { Contribution, MatchDecision, StandardisedRecord } from '../types.js';

/**
 * Score step: the Fellegi-Sunter model. For each comparison level, m = P(level
 * | match) and u = P(level | non-match); a pair's match weight is
 * log2(λ/(1−λ)) + Σ log2(m/u). Following Splink's practice:
 * - u is estimated from random record pairs (almost all non-matches),
 * - m and λ (the share of matches among candidate pairs) by
 *   expectation-maximisation over the candidate pairs, u held fixed,
 * - exact agreement on a common value (a frequent surname) counts for less:
 *   its u is replaced by the value's term frequency.
 * The model is plain data, so it can be stored, printed and reused.
 */
export interface FellegiSunterModel {
  entityType: string;
  /** Prior probability that two records drawn at random are a match (the scale of u). */
  lambda: number;
  comparisons: { attribute: string; levels: string[]; m: number[]; u: number[] }[];
  iterations: number;
}

export interface EstimateOptions {
  /** Random pairs sampled for u. @default 100000 */
  uPairs?: number;
  /** @default 40 */
  maxIterations?: number;
  /** EM runs on at most this many candidate pairs (an even sample of them): enough to estimate a few dozen probabilities. @default 2000000 */
  maxTrainingPairs?: number;
  seed?: number;
}

/** Trains m, u and λ on the records and their candidate pairs (no labels). */
export function estimateModel(
  records: StandardisedRecord[],
  compared: ComparedPairs,
  comparisons: ComparisonConfig[],
  options: EstimateOptions & { entityType?: string } = {},
): FellegiSunterModel {
  const n = records.length;
  const random = mulberry32(options.seed ?? 42);
  const uPairs = Math.min(options.uPairs ?? 100_000, Math.max(0, (n * (n - 1)) / 2));
  const uCounts = comparisons.map((c) => new Float64Array(levelCount(c)));
  for (let s = 0; s < uPairs; s++) {
    const i = Math.floor(random() * n);
    let j = Math.floor(random() * (n - 1));
    if (j >= i) j++;
    comparisons.forEach((c, k) => { uCounts[k][comparePair(records[i], records[j], c)]++; });
  }
  // Laplace smoothing: a level never seen among random pairs is rare, not impossible.
  const u = uCounts.map((counts) => normaliseNonNull(counts.map((x, l) => (l === NULL_LEVEL ? 0 : x + 1))));

  let m = comparisons.map((c) => {
    const last = c.levels.length + 1; // else
    return normaliseNonNull(Array.from({ length: levelCount(c) }, (_, l) => (l === NULL_LEVEL ? 0 : l >= last ? 0.05 : 0.9 / 2 ** (l - 1))));
  });
  // Identifier conflicts keep their configured weight (natural log here): EM does not move it.
  const fixedLog = comparisons.map((c) => {
    const fixed = new Map<number, number>();
    if (c.conflictWeight !== undefined) fixed.set(conflictLevel(c), c.conflictWeight * Math.LN2);
    return fixed;
  });
  // λ is the probability that two records drawn at random match, the scale
  // on which u (from random pairs) is measured. Taken over candidate pairs
  // instead, λ and u would disagree: candidates share blocking keys, so the
  // non-matches among them look like matches to a random-pair u, and EM
  // would call nearly every candidate a match (as it did on look-alike
  // company names). Pairs outside the blocks count as non-matches.
  const allPairs = Math.max(1, (n * (n - 1)) / 2);
  let lambda = Math.min(0.5, Math.max(1e-12, Math.min(n / 2, Math.max(1, compared.count)) / allPairs));
  // A regular sample of the candidate pairs when there are very many; the
  // posterior total is scaled back up for λ.
  const stride = Math.max(1, Math.ceil(compared.count / (options.maxTrainingPairs ?? 2_000_000)));
  const sample = stride === 1 ? null : Uint32Array.from({ length: Math.ceil(compared.count / stride) }, (_, s) => s * stride);
  const sampledLevels = sample ? compared.levels.map((levels) => Uint8Array.from(sample, (p) => levels[p])) : compared.levels;
  const pairs = sample ? sample.length : compared.count;
  const posterior = new Float64Array(pairs);
  let iterations = 0;
  for (; iterations < (options.maxIterations ?? 40); iterations++) {
    const logW = m.map((levels, k) => levels.map((x, l) => fixedLog[k].get(l) ?? Math.log(x) - Math.log(u[k][l])));
    const priorLog = Math.log(lambda / (1 - lambda));
    let total = 0;
    for (let p = 0; p < pairs; p++) {
      let logOdds = priorLog;
      for (let k = 0; k < comparisons.length; k++) {
        const l = sampledLevels[k][p];
        if (l !== NULL_LEVEL) logOdds += logW[k][l];
      }
      const prob = 1 / (1 + Math.exp(-logOdds));
      posterior[p] = prob;
      total += prob;
    }
    const next = comparisons.map((c) => new Float64Array(levelCount(c)));
    for (let k = 0; k < comparisons.length; k++) {
      const levels = sampledLevels[k];
      const acc = next[k];
      for (let p = 0; p < pairs; p++) acc[levels[p]] += posterior[p];
    }
    const nextM = next.map((acc) => normaliseNonNull(Array.from(acc, (x, l) => (l === NULL_LEVEL ? 0 : x + 1e-3))));
    const nextLambda = Math.min(0.5, Math.max(1e-12, (total * compared.count) / Math.max(1, pairs) / allPairs));
    const delta = Math.max(Math.abs(nextLambda - lambda) / lambda, ...nextM.flatMap((levels, k) => levels.map((x, l) => Math.abs(x - m[k][l]))));
    m = nextM; lambda = nextLambda;
    if (delta < 1e-5) { iterations++; break; }
  }
  return {
    entityType: options.entityType ?? '',
    lambda,
    comparisons: comparisons.map((c, k) => ({
      attribute: c.attribute,
      levels: Array.from({ length: levelCount(c) }, (_, l) => levelLabel(c.levels, l)),
      m: m[k],
      u: u[k],
    })),
    iterations,
  };
}

/** Term frequencies: for each tf-adjusted attribute, value → share of records holding it. */
export function termFrequencies(records: StandardisedRecord[], comparisons: ComparisonConfig[]): Map<string, Map<string, number>> {
  const tables = new Map<string, Map<string, number>>();
  for (const [attribute, { counts, total }] of termCounts(records, comparisons)) {
    tables.set(attribute, new Map([...counts].map(([v, count]) => [v, count / Math.max(1, total)])));
  }
  return tables;
}

/** What the term frequencies are made of, per tf-adjusted attribute: records per value and records holding any value. */
export interface TermCounts {
  counts: Map<string, number>;
  total: number;
}

/** Records per standardised value of every tf-adjusted attribute: stored by the batch so incremental matching can weigh values as it did. */
export function termCounts(records: StandardisedRecord[], comparisons: ComparisonConfig[]): Map<string, TermCounts> {
  const tables = new Map<string, TermCounts>();
  for (const c of comparisons) {
    if (!c.termFrequency) continue;
    const counts = new Map<string, number>();
    let total = 0;
    for (const r of records) {
      const v = r.std[c.attribute];
      if (v === null || v === undefined) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
      total++;
    }
    tables.set(c.attribute, { counts, total });
  }
  return tables;
}

/** Every compared pair's match weight, in a typed array (millions of pairs stay compact). */
export function scoreWeights(
  records: StandardisedRecord[],
  compared: ComparedPairs,
  model: FellegiSunterModel,
  config: EntityConfig,
  tf = termFrequencies(records, config.comparisons),
): Float64Array {
  const weights = levelWeights(model);
  const prior = Math.log2(model.lambda / (1 - model.lambda));
  const out = new Float64Array(compared.count).fill(prior);
  for (let k = 0; k < config.comparisons.length; k++) {
    const comparison = config.comparisons[k];
    const params = model.comparisons[k];
    const levels = compared.levels[k];
    const fixed = weights[k].map((_, l) => contributionWeight(comparison, params, weights[k], l, undefined, tf));
    const tfExact = comparison.termFrequency && comparison.levels[0]?.kind === 'exact';
    for (let p = 0; p < compared.count; p++) {
      const l = levels[p];
      out[p] += l === 1 && tfExact ? contributionWeight(comparison, params, weights[k], 1, records[compared.left[p]], tf) : fixed[l];
    }
  }
  return out;
}

/** One compared pair's decision, with its explanation. */
export function decisionAt(
  records: StandardisedRecord[],
  compared: ComparedPairs,
  p: number,
  weight: number,
  model: FellegiSunterModel,
  config: EntityConfig,
  tf: Map<string, Map<string, number>>,
): MatchDecision {
  const a = records[compared.left[p]];
  const b = records[compared.right[p]];
  return {
    left: a.key, right: b.key, weight, probability: 1 / (1 + 2 ** -weight), outcome: outcomeOf(weight, config),
    contributions: explainPair(a, b, compared.levels.map((l) => l[p]), model, config, tf),
  };
}

/** Scores every compared pair: weight, probability, outcome, and (above the review threshold) its explanation. */
export function scorePairs(
  records: StandardisedRecord[],
  compared: ComparedPairs,
  model: FellegiSunterModel,
  config: EntityConfig,
  tf = termFrequencies(records, config.comparisons),
): MatchDecision[] {
  const weights = scoreWeights(records, compared, model, config, tf);
  const reviewWeight = Math.log2(config.thresholds.review / (1 - config.thresholds.review));
  const decisions: MatchDecision[] = new Array(compared.count);
  for (let p = 0; p < compared.count; p++) {
    const weight = weights[p];
    decisions[p] = weight >= reviewWeight
      ? decisionAt(records, compared, p, weight, model, config, tf)
      : { left: records[compared.left[p]].key, right: records[compared.right[p]].key, weight, probability: 1 / (1 + 2 ** -weight), outcome: outcomeOf(weight, config), contributions: [] };
  }
  return decisions;
}

/** Scores one pair from scratch (incremental matching, steward explanations). */
export function scorePair(a: StandardisedRecord, b: StandardisedRecord, model: FellegiSunterModel, config: EntityConfig, tf: Map<string, Map<string, number>>): MatchDecision {
  const levels = config.comparisons.map((c) => comparePair(a, b, c));
  const contributions = explainPair(a, b, levels, model, config, tf);
  const weight = Math.log2(model.lambda / (1 - model.lambda)) + contributions.reduce((sum, c) => sum + c.weight, 0);
  return { left: a.key, right: b.key, weight, probability: 1 / (1 + 2 ** -weight), outcome: outcomeOf(weight, config), contributions };
}

function explainPair(a: StandardisedRecord, b: StandardisedRecord, levels: number[], model: FellegiSunterModel, config: EntityConfig, tf: Map<string, Map<string, number>>): Contribution[] {
  const weights = levelWeights(model);
  return config.comparisons.map((c, k) => ({
    attribute: c.attribute,
    level: model.comparisons[k].levels[levels[k]],
    weight: round(contributionWeight(c, model.comparisons[k], weights[k], levels[k], a, tf)),
    left: a.std[c.attribute] ?? null,
    right: b.std[c.attribute] ?? null,
  }));
}

function contributionWeight(
  comparison: ComparisonConfig,
  params: FellegiSunterModel['comparisons'][number],
  weights: number[],
  level: number,
  a: StandardisedRecord | undefined,
  tf: Map<string, Map<string, number>>,
): number {
  if (level === NULL_LEVEL) return 0;
  if (comparison.conflictWeight !== undefined && level === conflictLevel(comparison)) return comparison.conflictWeight;
  if (a && level === 1 && comparison.termFrequency && comparison.levels[0]?.kind === 'exact') {
    const frequency = tf.get(comparison.attribute)?.get(a.std[comparison.attribute] ?? '');
    // Splink's adjustment: u for agreeing on this value is the value's frequency.
    if (frequency !== undefined) return Math.log2(params.m[1] / Math.max(frequency, 1e-9));
  }
  return weights[level];
}

function levelWeights(model: FellegiSunterModel): number[][] {
  return model.comparisons.map((c) => c.m.map((m, l) => (l === NULL_LEVEL ? 0 : Math.log2(m / c.u[l]))));
}

function outcomeOf(weight: number, config: EntityConfig): MatchDecision['outcome'] {
  const p = 1 / (1 + 2 ** -weight);
  return p >= config.thresholds.merge ? 'merge' : p >= config.thresholds.review ? 'review' : 'distinct';
}

function normaliseNonNull(values: ArrayLike<number>): number[] {
  let sum = 0;
  for (let l = 1; l < values.length; l++) sum += values[l];
  return Array.from(values, (x, l) => (l === NULL_LEVEL ? 0 : x / sum));
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** A small seeded PRNG: the same records give the same u estimates. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
