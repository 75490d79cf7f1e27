import { describe, expect, it } from 'vitest';
import type { ComparisonConfig } from '../entities/types.js';
import type { StandardisedRecord } from '../types.js';
import { compareCandidatePairs, comparePair, levelLabel, tokenContainment, tokenSetSimilarity } from './index.js';
import { wordSetContainment, wordSetSimilarity, wordSetsOf } from './wordSets.js';

// Repeated words, a double space, a leading space (split(' ') makes an empty word of them), word orders, no shared word.
const values = ['main street', 'street main', 'main main street', 'main  street', ' main', 'high street north', 'north', 'a b c d', 'd c b a e'];

const record = (i: number, address: string | null): StandardisedRecord => ({
  entityType: 'person', system: 's', sourceId: String(i), key: `s:${i}`, attributes: {}, std: { address }, valid: {},
});

describe('the word sets of a column', () => {
  it('give the ratios tokenSetSimilarity and tokenContainment give, for every pair of values', () => {
    const sets = wordSetsOf(values);
    for (let x = 0; x < values.length; x++) {
      for (let y = 0; y < values.length; y++) {
        expect(wordSetSimilarity(sets, x, y), `${values[x]} / ${values[y]}`).toBe(tokenSetSimilarity(values[x], values[y]));
        expect(wordSetContainment(sets, x, y), `${values[x]} / ${values[y]}`).toBe(tokenContainment(values[x], values[y]));
      }
    }
  });

  it('let the column compare reach the level comparePair reaches, pair by pair', () => {
    const comparison: ComparisonConfig = {
      attribute: 'address',
      levels: [{ kind: 'exact' }, { kind: 'tokenSet', min: 0.6 }, { kind: 'tokenContainment', min: 1 }, { kind: 'tokenSet', min: 0.3 }],
    };
    const records = [...values, 'main street', null].map((v, i) => record(i, v));
    const pairs: number[] = [];
    for (let i = 0; i < records.length; i++) for (let j = i + 1; j < records.length; j++) pairs.push(i, j);
    const compared = compareCandidatePairs(records, Uint32Array.from(pairs), [comparison]);
    const expected: string[] = []; const actual: string[] = [];
    for (let p = 0; p < compared.count; p++) {
      const a = records[compared.left[p]]; const b = records[compared.right[p]];
      expected.push(`${a.std.address} / ${b.std.address}: ${levelLabel(comparison.levels, comparePair(a, b, comparison))}`);
      actual.push(`${a.std.address} / ${b.std.address}: ${levelLabel(comparison.levels, compared.levels[0][p])}`);
    }
    expect(actual).toEqual(expected);
    // Every level occurs, so each word-set level was decided both ways.
    expect(new Set(compared.levels[0])).toEqual(new Set([0, 1, 2, 3, 4, 5]));
  });
});
