import { comparePair, conflictLevel, countsWords, levelCount, levelLabel, NULL_LEVEL, tokenTableName, type ComparedPairs, type TermShares } from '../compare/index.js';
import type { ComparisonConfig, EntityConfig } from '../entities/types.js';
import { bestCrossSourceWeights, oneToOneAccepts, type OneToOneLinkage } from '../match/oneToOne.js';
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
  /** Term shares (word weights for wordCosine levels), as the compare step used them. */
  tf?: TermShares;
  /** Where u and λ are measured: random record pairs (default) or the candidate pairs (see EntityConfig.model). */
  scale?: 'random' | 'candidates';
  /** Comparisons whose level weights must not rise from a stronger level to a weaker one (see ComparisonConfig.monotone). */
  monotone?: boolean[];
  /** Linkage between de-duplicated catalogues: refit m, u and λ under the one-to-one assumption (see fitOneToOne). */
  oneToOne?: OneToOneLinkage;
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
  const onCandidates = options.scale === 'candidates';
  const uPairs = onCandidates ? 0 : Math.min(options.uPairs ?? 100_000, Math.max(0, (n * (n - 1)) / 2));
  const uCounts = comparisons.map((c) => new Float64Array(levelCount(c)));
  if (onCandidates) {
    // Matches are a small share of the candidates when each record has one partner at most: their levels are almost all non-matches'.
    for (let k = 0; k < comparisons.length; k++) for (let p = 0; p < compared.count; p++) uCounts[k][compared.levels[k][p]]++;
  }
  for (let s = 0; s < uPairs; s++) {
    const i = Math.floor(random() * n);
    let j = Math.floor(random() * (n - 1));
    if (j >= i) j++;
    comparisons.forEach((c, k) => { uCounts[k][comparePair(records[i], records[j], c, options.tf)]++; });
  }
  // Laplace smoothing: a level never seen among random pairs is rare, not impossible.
  let u = uCounts.map((counts) => normaliseNonNull(counts.map((x, l) => (l === NULL_LEVEL ? 0 : x + 1))));

  let m = comparisons.map((c) => {
    const last = c.levels.length + 1; // else
    return normaliseNonNull(Array.from({ length: levelCount(c) }, (_, l) => (l === NULL_LEVEL ? 0 : l >= last ? 0.05 : 0.9 / 2 ** (l - 1))));
  });
  // Identifier conflicts keep their configured weight (natural log here): EM does not move it.
  const fixedLog = comparisons.map((c) => {
    const fixed = new Map<number, number>();
    if (c.conflictWeight !== undefined) fixed.set(conflictLevel(c), c.conflictWeight * Math.LN2);
    if (c.agreeWeight !== undefined) for (let l = 1; l < levelCount(c); l++) if (!fixed.has(l)) fixed.set(l, c.agreeWeight * Math.LN2);
    return fixed;
  });
  // λ is the probability that two records drawn at random match, the scale
  // on which u (from random pairs) is measured. Taken over candidate pairs
  // instead, λ and u would disagree: candidates share blocking keys, so the
  // non-matches among them look like matches to a random-pair u, and EM
  // would call nearly every candidate a match (as it did on look-alike
  // company names). Pairs outside the blocks count as non-matches.
  const allPairs = onCandidates ? Math.max(1, compared.count) : Math.max(1, (n * (n - 1)) / 2);
  let lambda = Math.min(0.5, Math.max(1e-12, Math.min(n / 2, Math.max(1, compared.count)) / allPairs));
  // A regular sample of the candidate pairs when there are very many; the
  // posterior total is scaled back up for λ.
  const stride = Math.max(1, Math.ceil(compared.count / (options.maxTrainingPairs ?? 2_000_000)));
  const pairs = stride === 1 ? compared.count : Math.ceil(compared.count / stride);
  const sampledLevels = stride === 1 ? compared.levels : compared.levels.map((levels) => everyNth(levels, stride, pairs));
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
    const nextM = next.map((acc, k) => {
      const mk = normaliseNonNull(Array.from(acc, (x, l) => (l === NULL_LEVEL ? 0 : x + 1e-3)));
      return options.monotone?.[k] ? monotoneM(mk, u[k], comparisons[k]) : mk;
    });
    const nextLambda = Math.min(0.5, Math.max(1e-12, (total * compared.count) / Math.max(1, pairs) / allPairs));
    const delta = Math.max(Math.abs(nextLambda - lambda) / lambda, ...nextM.flatMap((levels, k) => levels.map((x, l) => Math.abs(x - m[k][l]))));
    m = nextM; lambda = nextLambda;
    if (delta < 1e-5) { iterations++; break; }
  }
  if (options.oneToOne) {
    const fitted = fitOneToOne(records, compared, comparisons, m, u, options.oneToOne, options.monotone);
    m = fitted.m; u = fitted.u; lambda = fitted.lambda; iterations += fitted.rounds;
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
    const shares = new Map([...counts].map(([v, count]) => [v, count / Math.max(1, total)]));
    // A word table's '' entry: the share of a word seen once, for words the counts do not hold (see inverseDocumentFrequency).
    if (attribute.endsWith(tokenTableName(''))) shares.set('', 1 / Math.max(1, total));
    tables.set(attribute, shares);
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
    if (countsWords(c)) {
      // Document frequency of each word: the records whose value holds it.
      const counts = new Map<string, number>();
      let total = 0;
      for (const r of records) {
        const words = termValues(r, c);
        if (words.length === 0) continue;
        for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
        total++;
      }
      tables.set(tokenTableName(c.attribute), { counts, total });
    }
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

/**
 * What a record adds to a comparison's counts: its distinct words for a
 * word-weighted comparison (table tokenTableName(attribute)), else its whole
 * value when term-frequency adjusted (table = the attribute), else nothing.
 */
export function termValues(record: StandardisedRecord, comparison: ComparisonConfig): string[] {
  const value = record.std[comparison.attribute];
  if (value === null || value === undefined || value === '') return [];
  return countsWords(comparison) ? [...new Set(value.split(' ').filter((w) => w !== ''))] : comparison.termFrequency ? [value] : [];
}

/** The count tables a comparison keeps: its words, its whole values, or both. */
export function termTables(comparison: ComparisonConfig): { table: string; values: (r: StandardisedRecord) => string[] }[] {
  const out: { table: string; values: (r: StandardisedRecord) => string[] }[] = [];
  if (countsWords(comparison)) out.push({ table: tokenTableName(comparison.attribute), values: (r) => termValues(r, comparison) });
  if (comparison.termFrequency) {
    out.push({ table: comparison.attribute, values: (r) => { const v = r.std[comparison.attribute]; return v === null || v === undefined || v === '' ? [] : [v]; } });
  }
  return out;
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
    // Exact agreement on a term-frequency attribute weighs by the left record's value: looked up once per record
    // (NaN until then), not once per pair (half of a million persons' 51 million pairs agree on the surname).
    const exact = tfExact ? new Float64Array(records.length).fill(NaN) : undefined;
    for (let p = 0; p < compared.count; p++) {
      const l = levels[p];
      if (l === 1 && exact) {
        const i = compared.left[p];
        let w = exact[i];
        if (Number.isNaN(w)) w = exact[i] = contributionWeight(comparison, params, weights[k], 1, records[i], tf);
        out[p] += w;
      } else {
        out[p] += fixed[l];
      }
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
  const levels = config.comparisons.map((c) => comparePair(a, b, c, tf));
  const contributions = explainPair(a, b, levels, model, config, tf);
  const weight = Math.log2(model.lambda / (1 - model.lambda)) + contributions.reduce((sum, c) => sum + c.weight, 0);
  return { left: a.key, right: b.key, weight, probability: 1 / (1 + 2 ** -weight), outcome: outcomeOf(weight, config), contributions };
}

function explainPair(a: StandardisedRecord, b: StandardisedRecord, levels: number[], model: FellegiSunterModel, config: EntityConfig, tf: Map<string, Map<string, number>>): Contribution[] {
  const weights = levelWeights(model);
  const trained = modelIndexes(model, config);
  return config.comparisons.map((c, k) => {
    // A model stored by an older batch may lack a comparison added since (matched by attribute and levels): until
    // the next batch trains it, such a comparison weighs only its fixed weights (a conflict), else nothing.
    const t = trained[k];
    const weight = t >= 0
      ? contributionWeight(c, model.comparisons[t], weights[t], levels[k], a, tf)
      : levels[k] !== NULL_LEVEL && c.conflictWeight !== undefined && levels[k] === conflictLevel(c) ? c.conflictWeight : levels[k] !== NULL_LEVEL && c.agreeWeight !== undefined ? c.agreeWeight : 0;
    return {
      attribute: c.attribute,
      level: t >= 0 ? model.comparisons[t].levels[levels[k]] : levelLabel(c.levels, levels[k]),
      weight: round(weight),
      left: a.std[c.attribute] ?? null,
      right: b.std[c.attribute] ?? null,
    };
  });
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
  if (comparison.agreeWeight !== undefined) return comparison.agreeWeight;
  if (a && level === 1 && comparison.termFrequency && comparison.levels[0]?.kind === 'exact') {
    const frequency = tf.get(comparison.attribute)?.get(a.std[comparison.attribute] ?? '');
    // Splink's adjustment: u for agreeing on this value is the value's frequency.
    if (frequency !== undefined) return Math.log2(params.m[1] / Math.max(frequency, 1e-9));
  }
  return weights[level];
}

/** For each configured comparison, the index of the model's comparison of the same attribute and levels, or -1. */
const indexCache = new WeakMap<FellegiSunterModel, WeakMap<EntityConfig, number[]>>();

function modelIndexes(model: FellegiSunterModel, config: EntityConfig): number[] {
  let byConfig = indexCache.get(model);
  if (!byConfig) { byConfig = new WeakMap(); indexCache.set(model, byConfig); }
  let indexes = byConfig.get(config);
  if (!indexes) { indexes = computeModelIndexes(model, config); byConfig.set(config, indexes); }
  return indexes;
}

function computeModelIndexes(model: FellegiSunterModel, config: EntityConfig): number[] {
  return config.comparisons.map((c, k) => {
    const labels = Array.from({ length: levelCount(c) }, (_, l) => levelLabel(c.levels, l)).join('|');
    const same = (t: number) => model.comparisons[t]?.attribute === c.attribute && model.comparisons[t].levels.join('|') === labels;
    return same(k) ? k : model.comparisons.findIndex((_, t) => same(t));
  });
}

function levelWeights(model: FellegiSunterModel): number[][] {
  return model.comparisons.map((c) => c.m.map((m, l) => (l === NULL_LEVEL ? 0 : Math.log2(m / c.u[l]))));
}

function outcomeOf(weight: number, config: EntityConfig): MatchDecision['outcome'] {
  const p = 1 / (1 + 2 ** -weight);
  return p >= config.thresholds.merge ? 'merge' : p >= config.thresholds.review ? 'review' : 'distinct';
}

/**
 * Unsupervised training for linkage between two de-duplicated catalogues
 * (hard EM with a one-to-one constraint, on the candidate-pair scale). Plain
 * EM on look-alike catalogues learns "same product family" (every Photoshop
 * edition agrees on most words), not "same product". Between catalogues that
 * each list a product once, the structure itself says which pairs can be
 * matches: a record's best counterpart, when that record is also the
 * counterpart's best. Each round takes the mutual best pairs with positive
 * evidence as matches and the other candidate pairs as non-matches, counts
 * m and u from them and scores again, until the matches stop changing. No
 * label is read.
 */
function fitOneToOne(
  records: StandardisedRecord[],
  compared: ComparedPairs,
  comparisons: ComparisonConfig[],
  m0: number[][],
  u0: number[][],
  linkage: OneToOneLinkage,
  monotone: boolean[] | undefined,
): { m: number[][]; u: number[][]; lambda: number; rounds: number } {
  const systems = records.map((r) => r.system);
  let m = m0; let u = u0;
  let matched = new Uint8Array(compared.count);
  let lambda = Math.min(0.5, Math.max(1e-9, records.length / 2 / Math.max(1, compared.count)));
  const weights = new Float64Array(compared.count);
  let rounds = 0;
  for (; rounds < 10; rounds++) {
    const logW = m.map((levels, k) => levels.map((x, l) => (l === NULL_LEVEL ? 0 : comparisons[k].conflictWeight !== undefined && l === conflictLevel(comparisons[k]) ? comparisons[k].conflictWeight! : comparisons[k].agreeWeight ?? Math.log2(x / u[k][l]))));
    const prior = Math.log2(lambda / (1 - lambda));
    for (let p = 0; p < compared.count; p++) {
      let w = prior;
      for (let k = 0; k < comparisons.length; k++) w += logW[k][compared.levels[k][p]];
      weights[p] = w;
    }
    const best = bestCrossSourceWeights(systems, compared.left, compared.right, weights);
    const next = new Uint8Array(compared.count);
    let changed = 0; let matches = 0;
    for (let p = 0; p < compared.count; p++) {
      const i = compared.left[p]; const j = compared.right[p];
      const isMatch = systems[i] !== systems[j] && oneToOneAccepts({ ...linkage, strongWithinWeight: Infinity }, weights[p], systems[i], systems[j], best[i], best[j]);
      next[p] = isMatch ? 1 : 0;
      matches += next[p];
      if (next[p] !== matched[p]) changed++;
    }
    matched = next;
    const mCounts = comparisons.map((c) => new Float64Array(levelCount(c)));
    const uCounts = comparisons.map((c) => new Float64Array(levelCount(c)));
    for (let k = 0; k < comparisons.length; k++) {
      const levels = compared.levels[k];
      for (let p = 0; p < compared.count; p++) (matched[p] ? mCounts : uCounts)[k][levels[p]]++;
    }
    u = uCounts.map((counts) => normaliseNonNull(counts.map((x, l) => (l === NULL_LEVEL ? 0 : x + 1))));
    m = mCounts.map((counts, k) => {
      const mk = normaliseNonNull(counts.map((x, l) => (l === NULL_LEVEL ? 0 : x + 0.5)));
      return monotone?.[k] ? monotoneM(mk, u[k], comparisons[k]) : mk;
    });
    lambda = Math.min(0.5, Math.max(1e-9, matches / Math.max(1, compared.count)));
    if (changed === 0) { rounds++; break; }
  }
  return { m, u, lambda, rounds };
}

/**
 * Makes the likelihood ratios m/u non-increasing from the strongest level to
 * "else" (pool-adjacent-violators, weighted by u): EM may otherwise find that
 * a loose level ("cosine ≥ 0.3") is better evidence than a strict one, when
 * its non-matches are rare among random pairs but common among candidates.
 * The conflict level keeps its own weight.
 */
function monotoneM(m: number[], u: number[], comparison: ComparisonConfig): number[] {
  const last = comparison.levels.length + 1; // else
  const blocks: { ratio: number; weight: number; from: number; to: number }[] = [];
  for (let l = 1; l <= last; l++) {
    blocks.push({ ratio: m[l] / u[l], weight: u[l], from: l, to: l });
    while (blocks.length > 1 && blocks[blocks.length - 2].ratio < blocks[blocks.length - 1].ratio) {
      const b = blocks.pop()!; const a = blocks.pop()!;
      const weight = a.weight + b.weight;
      blocks.push({ ratio: (a.ratio * a.weight + b.ratio * b.weight) / weight, weight, from: a.from, to: b.to });
    }
  }
  const out = [...m];
  for (const b of blocks) for (let l = b.from; l <= b.to; l++) out[l] = b.ratio * u[l];
  return normaliseNonNull(out);
}

/** Every stride-th entry of levels, from the first (a plain loop: TypedArray.from with a map callback costs ~0.1 µs an entry, 2 s a batch). */
function everyNth(levels: Uint8Array, stride: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  for (let s = 0; s < count; s++) out[s] = levels[s * stride];
  return out;
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
