import { clearVerdicts, findUnscoredPairs, type IndexPairs, type ScoredAdjacency } from './cohesion.js';

export type { IndexPairs } from './cohesion.js';

/**
 * Cluster step: accepted pairs → clusters (connected components), joined
 * steward rulings first, then links between records sharing a strong
 * identifier, then strongest link first, with a guard against chaining: two
 * clusters that already hold several records are joined only when the other
 * pairs scored between them agree with the link, none of them is clear
 * evidence of two different entities, and no steward said "never merge"
 * across them. Then the cohesion check (cohesion.ts): pairs inside a cluster
 * that no blocking rule compared are scored, and a cluster they show to hold
 * two entities is split where the disagreeing ends were joined.
 */

export interface ClusterEdge {
  left: string;
  right: string;
  /** Match weight (log2 odds); orders the joins. */
  weight: number;
  /** Match probability, recorded as the xref score. */
  probability: number;
  /** The rule that accepted the link, e.g. 'fellegi-sunter', 'steward'. */
  rule: string;
  /** A steward's forced merge: joined first, never refused by the guard. */
  forced?: boolean;
  /**
   * The two records share a strong identifier (see ComparisonConfig.identifier):
   * joined after the forced links and before the others, never refused by the
   * guard's evidence (a never-merge ruling and the size cap still refuse it).
   */
  identifier?: boolean;
}

/** A scored pair that was not (necessarily) accepted: evidence for the guard. */
export interface ScoredPair {
  left: string;
  right: string;
  weight: number;
}

export interface ClusterGuard {
  /** Weight at or above which a scored cross pair supports a join (the review threshold). */
  supportWeight: number;
  /** Minimum share of scored cross pairs that must support a join. @default 0.5 */
  minCrossSupport?: number;
  /** A scored cross pair below this weight vetoes the join. @default -10 */
  vetoWeight?: number;
  /** @default 50 */
  maxSize?: number;
}

export interface Cluster {
  /** Source keys, sorted. */
  members: string[];
  /** Per member: the best accepted link that put it in the cluster (absent for a singleton). */
  links: Record<string, { score: number; rule: string }>;
}

export interface ClusterOptions {
  guard?: ClusterGuard;
  /** Pairs a steward ruled must never be merged, as `pairKey(a, b)`. */
  cannotLink?: Iterable<[string, string]>;
  /** Every scored pair (accepted or not), for the guard. */
  scored?: ScoredPair[];
  /** The same as typed arrays of indexes into `keys` (for millions of pairs). */
  scoredIndexed?: { left: Uint32Array; right: Uint32Array; weight: Float64Array };
  /**
   * Scores pairs of records (indexes into `keys`) that were not scored, for
   * the cohesion check (see cohesion.ts); it runs with a guard and a scorer.
   */
  scoreUnscored?: (pairs: IndexPairs) => Float64Array;
}

export function clusterRecords(keys: string[], edges: ClusterEdge[], options: ClusterOptions = {}): Cluster[] {
  const index = new Map<string, number>();
  keys.forEach((k, i) => index.set(k, i));
  const parent = Int32Array.from(keys, (_, i) => i);
  const members: number[][] = keys.map((_, i) => [i]);
  const find = (i: number): number => {
    while (parent[i] !== i) { parent[i] = parent[parent[i]]; i = parent[i]; }
    return i;
  };

  const cannotPairs = [...(options.cannotLink ?? [])];
  const cannot = new Map<number, number[]>();
  for (const [a, b] of cannotPairs) {
    const ia = index.get(a); const ib = index.get(b);
    if (ia === undefined || ib === undefined) continue;
    (cannot.get(ia) ?? cannot.set(ia, []).get(ia)!).push(ib);
    (cannot.get(ib) ?? cannot.set(ib, []).get(ib)!).push(ia);
  }
  let scoredPairs = options.scoredIndexed;
  if (!scoredPairs && options.scored) {
    const known = options.scored.filter((p) => index.has(p.left) && index.has(p.right));
    scoredPairs = {
      left: Uint32Array.from(known, (p) => index.get(p.left)!),
      right: Uint32Array.from(known, (p) => index.get(p.right)!),
      weight: Float64Array.from(known, (p) => p.weight),
    };
  }
  const adjacency = scoredAdjacency(keys.length, scoredPairs, linkedRecords(keys.length, edges, index));
  const { offsets, neighbours, weights: neighbourWeights } = adjacency;
  const guard = options.guard;
  const minSupport = guard?.minCrossSupport ?? 0.5;
  const veto = guard?.vetoWeight ?? -10;
  const maxSize = guard?.maxSize ?? 50;

  const forbidden = (ra: number, rb: number): boolean => {
    const [small, otherRoot] = members[ra].length <= members[rb].length ? [ra, rb] : [rb, ra];
    for (const m of members[small]) for (const c of cannot.get(m) ?? []) if (find(c) === otherRoot) return true;
    return false;
  };
  const guardRefuses = (ra: number, rb: number, identifier: boolean): boolean => {
    if (!guard) return false;
    if (members[ra].length + members[rb].length > maxSize) return true;
    // A shared identifier decides: the evidence of the other pairs does not refuse it (the size cap above does).
    if (identifier || (members[ra].length === 1 && members[rb].length === 1)) return false;
    const [small, otherRoot] = members[ra].length <= members[rb].length ? [ra, rb] : [rb, ra];
    let total = 0; let support = 0;
    for (const m of members[small]) {
      for (let q = offsets[m]; q < offsets[m + 1]; q++) {
        const other = neighbours[q]; const weight = neighbourWeights[q];
        if (find(other) !== otherRoot) continue;
        if (weight < veto) return true;
        total++;
        if (weight >= guard.supportWeight) support++;
      }
    }
    return total > 0 && support / total < minSupport;
  };

  const links = new Map<number, { score: number; rule: string }>();
  const noteLink = (i: number, e: ClusterEdge) => {
    const current = links.get(i);
    if (!current || current.score < e.probability || (e.forced && current.rule !== 'steward')) links.set(i, { score: e.probability, rule: e.rule });
  };
  const ordered = [...edges].sort((a, b) => Number(!!b.forced) - Number(!!a.forced) || Number(!!b.identifier) - Number(!!a.identifier)
    || b.weight - a.weight || (a.left + a.right < b.left + b.right ? -1 : 1));
  for (const e of ordered) {
    const ia = index.get(e.left); const ib = index.get(e.right);
    if (ia === undefined || ib === undefined) continue;
    const ra = find(ia); const rb = find(ib);
    if (ra === rb) { noteLink(ia, e); noteLink(ib, e); continue; }
    if (!e.forced && (forbidden(ra, rb) || guardRefuses(ra, rb, !!e.identifier))) continue;
    const [big, small] = members[ra].length >= members[rb].length ? [ra, rb] : [rb, ra];
    parent[small] = big;
    for (const m of members[small]) members[big].push(m);
    members[small] = [];
    noteLink(ia, e); noteLink(ib, e);
  }

  const roots: number[] = [];
  for (let i = 0; i < keys.length; i++) if (find(i) === i) roots.push(i);
  const again = guard && options.scoreUnscored ? incohesiveRoots(keys, roots, members, adjacency, edges, index, guard, options.scoreUnscored) : undefined;
  // The links and rulings inside each cluster to cluster again, in one pass over them.
  const inside = new Map<number, { edges: ClusterEdge[]; cannotLink: [string, string][] }>();
  if (again && again.size > 0) {
    for (const root of again.keys()) inside.set(root, { edges: [], cannotLink: [] });
    const within = (a: string, b: string) => {
      const ia = index.get(a); const ib = index.get(b);
      if (ia === undefined || ib === undefined) return undefined;
      const root = find(ia);
      return root === find(ib) ? inside.get(root) : undefined;
    };
    for (const e of edges) within(e.left, e.right)?.edges.push(e);
    for (const [a, b] of cannotPairs) within(a, b)?.cannotLink.push([a, b]);
  }

  const clusters: Cluster[] = [];
  for (const root of roots) {
    const redo = again?.get(root);
    if (redo) {
      // The cluster again from its own links, every verdict between its members known (see cohesion.ts).
      const memberKeys = members[root].map((m) => keys[m]).sort();
      const parts = clusterRecords(memberKeys, inside.get(root)!.edges, { guard, cannotLink: inside.get(root)!.cannotLink, scored: redo });
      clusters.push(...parts.sort((x, y) => (x.members[0] < y.members[0] ? -1 : 1)));
      continue;
    }
    const memberKeys = members[root].map((m) => keys[m]).sort();
    const clusterLinks: Cluster['links'] = {};
    if (memberKeys.length > 1) for (const m of members[root]) { const l = links.get(m); if (l) clusterLinks[keys[m]] = l; }
    clusters.push({ members: memberKeys, links: clusterLinks });
  }
  return clusters;
}

/** The records some edge names: only they can end up in a cluster of two or more. */
function linkedRecords(recordCount: number, edges: ClusterEdge[], index: Map<string, number>): Uint8Array {
  const linked = new Uint8Array(recordCount);
  for (const e of edges) {
    const ia = index.get(e.left); const ib = index.get(e.right);
    if (ia !== undefined && ib !== undefined) { linked[ia] = 1; linked[ib] = 1; }
  }
  return linked;
}

/**
 * The scored pairs between linked records as a compressed adjacency (offsets
 * per record). The guard reads the pairs of a member of one cluster with a
 * member of the other, and the cohesion check pairs inside clusters of three
 * or more: every record in those is linked (a cluster's only record is its
 * edge's own), so the pairs of a record no edge names are never read. Left
 * out, they no longer cost memory: at a million persons the adjacency of all
 * 51 million scored pairs took 1.2 GB.
 */
function scoredAdjacency(recordCount: number, pairs: ClusterOptions['scoredIndexed'], linked: Uint8Array): ScoredAdjacency {
  const offsets = new Uint32Array(recordCount + 1);
  const pairCount = pairs?.left.length ?? 0;
  let kept = 0;
  for (let p = 0; p < pairCount; p++) {
    const a = pairs!.left[p]; const b = pairs!.right[p];
    if (!linked[a] || !linked[b]) continue;
    offsets[a + 1]++; offsets[b + 1]++; kept++;
  }
  for (let i = 0; i < recordCount; i++) offsets[i + 1] += offsets[i];
  const neighbours = new Uint32Array(kept * 2);
  const weights = new Float64Array(kept * 2);
  const fill = offsets.slice(0, recordCount);
  for (let p = 0; p < pairCount; p++) {
    const a = pairs!.left[p]; const b = pairs!.right[p];
    if (!linked[a] || !linked[b]) continue;
    const w = pairs!.weight[p];
    neighbours[fill[a]] = b; weights[fill[a]++] = w;
    neighbours[fill[b]] = a; weights[fill[b]++] = w;
  }
  return { offsets, neighbours, weights };
}

/**
 * The cohesion check's first half (see cohesion.ts): scores the unscored
 * pairs inside clusters of three or more, and returns, for each cluster one
 * of them vetoes, every pair whose verdict is known between its members (the
 * scored ones and the clear new ones), for clustering it again.
 */
function incohesiveRoots(
  keys: string[],
  roots: number[],
  members: number[][],
  adjacency: ScoredAdjacency,
  edges: ClusterEdge[],
  index: Map<string, number>,
  guard: ClusterGuard,
  scoreUnscored: (pairs: IndexPairs) => Float64Array,
): Map<number, ScoredPair[]> {
  const recordCount = keys.length;
  const vetoWeight = guard.vetoWeight ?? -10;
  const groups = roots.map((r) => members[r]);
  const forcedGroup = forcedGroups(recordCount, edges, index);
  const unscored = findUnscoredPairs(groups, adjacency, recordCount, forcedGroup);
  const again = new Map<number, ScoredPair[]>();
  if (unscored.left.length === 0) return again;
  const weights = scoreUnscored(unscored);
  const { keep, vetoes } = clearVerdicts(weights, guard.supportWeight, vetoWeight);
  if (vetoes === 0) return again;
  const rootOf = new Int32Array(recordCount).fill(-1);
  for (const r of roots) for (const m of members[r]) rootOf[m] = r;
  const vetoed = new Set<number>();
  for (let p = 0; p < weights.length; p++) if (weights[p] < vetoWeight) vetoed.add(rootOf[unscored.left[p]]);
  for (const r of vetoed) {
    const pairs: ScoredPair[] = [];
    for (const i of members[r]) {
      for (let q = adjacency.offsets[i]; q < adjacency.offsets[i + 1]; q++) {
        const j = adjacency.neighbours[q];
        if (i < j && rootOf[j] === r) pairs.push({ left: keys[i], right: keys[j], weight: adjacency.weights[q] });
      }
    }
    again.set(r, pairs);
  }
  for (let p = 0; p < weights.length; p++) {
    const pairs = keep[p] ? again.get(rootOf[unscored.left[p]]) : undefined;
    pairs?.push({ left: keys[unscored.left[p]], right: keys[unscored.right[p]], weight: weights[p] });
  }
  return again;
}

/** Each record's forced group (joined by forced links alone), as a representative index; undefined when no link is forced. */
function forcedGroups(recordCount: number, edges: ClusterEdge[], index: Map<string, number>): Int32Array | undefined {
  if (!edges.some((e) => e.forced)) return undefined;
  const group = Int32Array.from({ length: recordCount }, (_, i) => i);
  const find = (i: number): number => {
    while (group[i] !== i) { group[i] = group[group[i]]; i = group[i]; }
    return i;
  };
  for (const e of edges) {
    if (!e.forced) continue;
    const ia = index.get(e.left); const ib = index.get(e.right);
    if (ia !== undefined && ib !== undefined) group[find(ia)] = find(ib);
  }
  for (let i = 0; i < recordCount; i++) group[i] = find(i);
  return group;
}

/** An order-independent key for a pair of source keys. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
