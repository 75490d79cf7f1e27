import { describe, expect, it } from 'vitest';
import { clusterRecords, type ClusterEdge } from './index.js';

const keys = ['a:1', 'a:2', 'a:3', 'a:4', 'a:5', 'a:6'];
const at = (key: string) => keys.indexOf(key);
// Two strong pairs and a weaker link between them; a:5 and a:6 are named by no edge.
const edges: ClusterEdge[] = [
  { left: 'a:1', right: 'a:2', weight: 20, probability: 1, rule: 'fs' },
  { left: 'a:3', right: 'a:4', weight: 20, probability: 1, rule: 'fs' },
  { left: 'a:2', right: 'a:3', weight: 8, probability: 0.99, rule: 'fs' },
];
const guard = { supportWeight: 0.6, minCrossSupport: 0.5, vetoWeight: -10 };

/** The edges and extra scored pairs as the batch hands them over: typed arrays of indexes. */
function scoredIndexed(extra: [string, string, number][]) {
  const pairs: [string, string, number][] = [...edges.map((e): [string, string, number] => [e.left, e.right, e.weight]), ...extra];
  return {
    left: Uint32Array.from(pairs, ([a]) => at(a)),
    right: Uint32Array.from(pairs, ([, b]) => at(b)),
    weight: Float64Array.from(pairs, ([, , w]) => w),
  };
}

describe('the guard of the cluster step', () => {
  it('refuses a join a pair between the two clusters vetoes', () => {
    const clusters = clusterRecords(keys, edges, { guard, scoredIndexed: scoredIndexed([['a:1', 'a:4', -15]]) });
    expect(clusters.map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3', 'a:4'], ['a:5'], ['a:6']]);
  });

  it('is not moved by the pairs of records no edge names, however they score', () => {
    const unlinked: [string, string, number][] = [['a:1', 'a:5', -30], ['a:4', 'a:6', -30], ['a:5', 'a:6', 25], ['a:2', 'a:6', 3]];
    const clusters = clusterRecords(keys, edges, { guard, scoredIndexed: scoredIndexed(unlinked) });
    expect(clusters.map((c) => c.members)).toEqual([['a:1', 'a:2', 'a:3', 'a:4'], ['a:5'], ['a:6']]);
    const vetoed = clusterRecords(keys, edges, { guard, scoredIndexed: scoredIndexed([...unlinked, ['a:1', 'a:4', -15]]) });
    expect(vetoed.map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3', 'a:4'], ['a:5'], ['a:6']]);
  });
});
