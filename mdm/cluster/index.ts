/**
 * Cluster step: accepted pairs → clusters (connected components), joined
 * strongest link first, with a guard against chaining: two clusters that
 * already hold several records are joined only when the other pairs scored
 * between them agree with the link, none of them is clear evidence of two
 * different entities, and no steward said "never merge" across them.
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

  const cannot = new Map<number, number[]>();
  for (const [a, b] of options.cannotLink ?? []) {
    const ia = index.get(a); const ib = index.get(b);
    if (ia === undefined || ib === undefined) continue;
    (cannot.get(ia) ?? cannot.set(ia, []).get(ia)!).push(ib);
    (cannot.get(ib) ?? cannot.set(ib, []).get(ib)!).push(ia);
  }
  // The scored pairs as a compressed adjacency (offsets per record), compact for millions of pairs.
  let scoredPairs = options.scoredIndexed;
  if (!scoredPairs && options.scored) {
    const known = options.scored.filter((p) => index.has(p.left) && index.has(p.right));
    scoredPairs = {
      left: Uint32Array.from(known, (p) => index.get(p.left)!),
      right: Uint32Array.from(known, (p) => index.get(p.right)!),
      weight: Float64Array.from(known, (p) => p.weight),
    };
  }
  const offsets = new Uint32Array(keys.length + 1);
  const pairCount = scoredPairs?.left.length ?? 0;
  for (let p = 0; p < pairCount; p++) { offsets[scoredPairs!.left[p] + 1]++; offsets[scoredPairs!.right[p] + 1]++; }
  for (let i = 0; i < keys.length; i++) offsets[i + 1] += offsets[i];
  const neighbours = new Uint32Array(pairCount * 2);
  const neighbourWeights = new Float64Array(pairCount * 2);
  {
    const fill = offsets.slice(0, keys.length);
    for (let p = 0; p < pairCount; p++) {
      const a = scoredPairs!.left[p]; const b = scoredPairs!.right[p]; const w = scoredPairs!.weight[p];
      neighbours[fill[a]] = b; neighbourWeights[fill[a]++] = w;
      neighbours[fill[b]] = a; neighbourWeights[fill[b]++] = w;
    }
  }
  const guard = options.guard;
  const minSupport = guard?.minCrossSupport ?? 0.5;
  const veto = guard?.vetoWeight ?? -10;
  const maxSize = guard?.maxSize ?? 50;

  const forbidden = (ra: number, rb: number): boolean => {
    const [small, otherRoot] = members[ra].length <= members[rb].length ? [ra, rb] : [rb, ra];
    for (const m of members[small]) for (const c of cannot.get(m) ?? []) if (find(c) === otherRoot) return true;
    return false;
  };
  const guardRefuses = (ra: number, rb: number): boolean => {
    if (!guard) return false;
    if (members[ra].length + members[rb].length > maxSize) return true;
    if (members[ra].length === 1 && members[rb].length === 1) return false;
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
  const ordered = [...edges].sort((a, b) => Number(!!b.forced) - Number(!!a.forced) || b.weight - a.weight || (a.left + a.right < b.left + b.right ? -1 : 1));
  for (const e of ordered) {
    const ia = index.get(e.left); const ib = index.get(e.right);
    if (ia === undefined || ib === undefined) continue;
    const ra = find(ia); const rb = find(ib);
    if (ra === rb) { noteLink(ia, e); noteLink(ib, e); continue; }
    if (!e.forced && (forbidden(ra, rb) || guardRefuses(ra, rb))) continue;
    const [big, small] = members[ra].length >= members[rb].length ? [ra, rb] : [rb, ra];
    parent[small] = big;
    for (const m of members[small]) members[big].push(m);
    members[small] = [];
    noteLink(ia, e); noteLink(ib, e);
  }

  const clusters: Cluster[] = [];
  for (let i = 0; i < keys.length; i++) {
    if (find(i) !== i) continue;
    const memberKeys = members[i].map((m) => keys[m]).sort();
    const clusterLinks: Cluster['links'] = {};
    if (memberKeys.length > 1) for (const m of members[i]) { const l = links.get(m); if (l) clusterLinks[keys[m]] = l; }
    clusters.push({ members: memberKeys, links: clusterLinks });
  }
  return clusters;
}

/** An order-independent key for a pair of source keys. */
export function pairKey(a: string, b: string): string {
  return a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
}
