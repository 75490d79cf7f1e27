import { describe, expect, it } from 'vitest';
import type { Cluster } from '../cluster/index.js';
import { formatAccuracyLine, pairwiseAccuracy } from './index.js';

const clusters = (...groups: string[][]): Cluster[] => groups.map((members) => ({ members, links: {} }));

describe('pairwise accuracy', () => {
  const truth: Record<string, string> = { 'a:1': 'x', 'b:1': 'x', 'a:2': 'y', 'a:3': 'z', 'b:2': 'w' };
  const truthOf = (key: string) => truth[key];

  it('calls precision undefined, not 1, when nothing was linked, and prints it as such', () => {
    const none = pairwiseAccuracy(clusters(['a:1'], ['b:1'], ['a:2'], ['a:3'], ['b:2']), truthOf, { scope: 'across' });
    expect(none.predictedPairs).toBe(0);
    expect(none.precisionDefined).toBe(false);
    expect(none.precision).toBe(0);
    expect(none.f1).toBe(0);
    expect(formatAccuracyLine(none)).toBe('precision=undefined recall=0.0000 f1=undefined (no predicted pairs)');
  });

  it('counts a wrong merge inside one source over all pairs, where the cross-source score cannot see it', () => {
    // a:2 and a:3 are different products of one catalogue, merged; the cross-source link a:1-b:1 is right.
    const result = clusters(['a:1', 'b:1'], ['a:2', 'a:3'], ['b:2']);
    const across = pairwiseAccuracy(result, truthOf, { scope: 'across' });
    const all = pairwiseAccuracy(result, truthOf, { scope: 'all' });
    const within = pairwiseAccuracy(result, truthOf, { scope: 'within' });
    expect([across.precision, across.recall]).toEqual([1, 1]);
    expect(all.predictedPairs).toBe(2);
    expect(all.precision).toBe(0.5);
    expect(within.truePositives).toBe(0);
    expect(within.recallDefined).toBe(false);
    expect(formatAccuracyLine(within)).toBe('precision=0.0000 recall=undefined f1=undefined (no true pairs)');
  });
});
