import { blockingKeys } from '../block/index.js';
import { clusterRecords, pairKey, type Cluster, type ClusterEdge, type ScoredPair } from '../cluster/index.js';
import { sharesIdentifier } from '../compare/index.js';
import type { EntityConfig } from '../entities/types.js';
import { scorePair, type FellegiSunterModel } from '../score/index.js';
import { splitSourceKey, type MatchDecision, type StandardisedRecord } from '../types.js';
import { deterministicEdges } from './deterministic.js';
import { oneToOneOutcome } from './oneToOne.js';

const probabilityWeight = (p: number) => Math.log2(p / (1 - p));

/**
 * Incremental matching as the batch decides, for one record: the pure part
 * (no database), in two steps the store runs around its reads.
 *
 * 1. scoreIncomingRecord: the record against the stored records it shares a
 *    blocking key with (the batch's candidate pairs for it), with the
 *    batch's model, term frequencies, thresholds and identifier conflicts.
 * 2. clusterIncomingRecord: the batch's cluster step over the record and the
 *    masters it could join (steward rulings, shared identifiers, strongest
 *    link first, the guard against chaining, the cohesion check), the
 *    masters taken as they stand.
 */

export interface IncomingScores {
  /** Every scored candidate pair (the guard needs the distinct ones too), best first. */
  scored: MatchDecision[];
  /** The merge and review outcomes, best first, without pairs a steward ruled apart. */
  decisions: MatchDecision[];
}

/** Step 1. Without a model (too few records for EM), the config's deterministic rules decide, as in the batch. */
export function scoreIncomingRecord(
  record: StandardisedRecord,
  candidates: StandardisedRecord[],
  config: EntityConfig,
  model: FellegiSunterModel | undefined,
  tf: Map<string, Map<string, number>>,
  cannotLink: [string, string][] = [],
): IncomingScores {
  const cannot = new Set(cannotLink.map(([a, b]) => pairKey(a, b)));
  let scored: MatchDecision[];
  if (!model) {
    // The record comes first, so every group it is in links from it.
    const linked = new Set(deterministicEdges([record, ...candidates], config).filter((e) => e.left === record.key).map((e) => e.right));
    scored = candidates.map((c) => linked.has(c.key)
      ? { left: record.key, right: c.key, weight: 100, probability: 1, outcome: 'merge' as const, contributions: [] }
      : { left: record.key, right: c.key, weight: -100, probability: 0, outcome: 'distinct' as const, contributions: [] });
  } else {
    scored = candidates.map((c) => scorePair(record, c, model, config, tf));
    const linkage = config.cluster?.oneToOne;
    if (linkage) {
      // One-to-one linkage from the record's side: its best cross-source candidate (the candidates' own bests are not re-read here).
      const system = record.system;
      let best = -Infinity;
      for (const d of scored) if (splitSourceKey(d.right).system !== system && d.weight > best) best = d.weight;
      const prior = Math.log2(model.lambda / (1 - model.lambda));
      const thresholds = { mergeWeight: probabilityWeight(config.thresholds.merge), reviewWeight: probabilityWeight(config.thresholds.review) };
      for (const d of scored) {
        const other = splitSourceKey(d.right).system;
        d.outcome = oneToOneOutcome(linkage, d.weight, prior, thresholds, system, other, best, other === system ? -Infinity : d.weight);
      }
    }
  }
  scored.sort((a, b) => b.weight - a.weight || (a.right < b.right ? -1 : 1));
  const decisions = scored.filter((d) => d.outcome !== 'distinct' && !cannot.has(pairKey(d.left, d.right)));
  return { scored, decisions };
}

export interface IncomingClusterInput {
  record: StandardisedRecord;
  /** From step 1. */
  scores: IncomingScores;
  /** Every member of each master in play (those the record may join, and its own), the record itself left out. */
  masters: Map<string, StandardisedRecord[]>;
  /** Scored pairs between members of different masters in play: the guard's evidence for joining them through the record. */
  crossScored?: ScoredPair[];
  cannotLink?: [string, string][];
  mustLink?: [string, string][];
  /** The guard runs with a model, as in the batch. */
  guarded: boolean;
  /**
   * The model's weight for two records no blocking rule compared, for the
   * cohesion check (see mdm/cluster/cohesion.ts): the record against members
   * of a master it joins that were not its candidates. Without it the check
   * is skipped.
   */
  pairWeight?: (a: StandardisedRecord, b: StandardisedRecord) => number;
}

/**
 * Step 2: the clusters the record and the masters in play form. Each master
 * enters as one cluster (its members bound by forced links: its own links
 * were decided by earlier runs and stewards); the record's forced links
 * (always-merge rulings) come next, then its merge links strongest first,
 * each refused when a never-merge ruling or the guard says so. A link to a
 * second master joins the two masters, as the batch would.
 */
export function clusterIncomingRecord(input: IncomingClusterInput, config: EntityConfig): Cluster[] {
  const { record } = input;
  const keys = [record.key];
  const edges: ClusterEdge[] = [];
  for (const members of input.masters.values()) {
    for (let i = 0; i < members.length; i++) {
      keys.push(members[i].key);
      if (i > 0) edges.push({ left: members[0].key, right: members[i].key, weight: Infinity, probability: 1, rule: 'existing', forced: true });
    }
  }
  for (const [a, b] of input.mustLink ?? []) {
    if (a === record.key || b === record.key) edges.push({ left: a, right: b, weight: Infinity, probability: 1, rule: 'steward', forced: true });
  }
  const byKey = new Map<string, StandardisedRecord>([[record.key, record]]);
  for (const members of input.masters.values()) for (const r of members) byKey.set(r.key, r);
  for (const d of input.scores.decisions) {
    if (d.outcome !== 'merge') continue;
    const other = byKey.get(d.right);
    const identifier = other !== undefined && sharesIdentifier(record, other, config.comparisons);
    edges.push({ left: d.left, right: d.right, weight: d.weight, probability: d.probability, rule: 'incremental', ...(identifier ? { identifier } : {}) });
  }
  const scored: ScoredPair[] = [...input.scores.scored.map((d) => ({ left: d.left, right: d.right, weight: d.weight })), ...(input.crossScored ?? [])];
  const reviewWeight = Math.log2(config.thresholds.review / (1 - config.thresholds.review));
  const pairWeight = input.pairWeight;
  return clusterRecords(keys, edges, {
    cannotLink: input.cannotLink,
    scored,
    guard: input.guarded ? { supportWeight: reviewWeight, ...config.cluster, vetoWeight: config.cluster?.vetoWeight ?? -10 } : undefined,
    // keys[0] is the record, so it is the left of its pairs, whose values the term frequencies were read for.
    scoreUnscored: pairWeight ? ({ left, right }) => Float64Array.from(left, (i, p) => pairWeight(byKey.get(keys[i])!, byKey.get(keys[right[p]])!)) : undefined,
  });
}

/**
 * The pairs the batch would have scored between members of different
 * masters: those sharing a blocking key (block size limits are not known
 * here, so a pair from an oversized block may be counted; it only adds
 * evidence to the guard).
 */
export function scoreCrossPairs(
  masters: Map<string, StandardisedRecord[]>,
  config: EntityConfig,
  model: FellegiSunterModel | undefined,
  tf: Map<string, Map<string, number>>,
): ScoredPair[] {
  if (!model || masters.size < 2) return [];
  const owner = new Map<string, string>();
  const blocks = new Map<string, StandardisedRecord[]>();
  for (const [masterId, members] of masters) {
    for (const r of members) {
      owner.set(r.key, masterId);
      for (const rule of config.blocking) {
        for (const key of blockingKeys(r, rule)) {
          const k = `${rule.name}\u0002${key}`;
          (blocks.get(k) ?? blocks.set(k, []).get(k)!).push(r);
        }
      }
    }
  }
  const seen = new Set<string>();
  const out: ScoredPair[] = [];
  for (const block of blocks.values()) {
    for (let i = 0; i < block.length; i++) {
      for (let j = i + 1; j < block.length; j++) {
        const [a, b] = block[i].key < block[j].key ? [block[i], block[j]] : [block[j], block[i]];
        if (owner.get(a.key) === owner.get(b.key)) continue;
        const pk = pairKey(a.key, b.key);
        if (seen.has(pk)) continue;
        seen.add(pk);
        out.push({ left: a.key, right: b.key, weight: scorePair(a, b, model, config, tf).weight });
      }
    }
  }
  return out;
}
