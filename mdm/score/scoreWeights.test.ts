import { describe, expect, it } from 'vitest';
import { compareCandidatePairs } from '../compare/index.js';
import { personConfig } from '../entities/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { estimateModel, scorePair, scoreWeights, termFrequencies } from './index.js';

// Common and rare given names, surnames and suburbs (term-frequency adjusted), so exact agreements weigh differently.
const givenNames = ['john', 'john', 'john', 'mary', 'mary', 'zebedee', 'ottoline'];
const surname = (i: number) => (i === 5 || i === 11 ? 'quixley' : i % 3 === 0 ? 'nguyen' : 'smith'); // 2, 14 and 26 records
const suburbs = ['richmond', 'richmond', 'carlton', 'wirrabara'];
const records = Array.from({ length: 42 }, (_, i) => standardiseRecord({
  entityType: 'person', system: 'febrl', sourceId: String(i),
  attributes: {
    given_name: givenNames[i % givenNames.length], surname: surname(i), suburb: suburbs[i % suburbs.length],
    date_of_birth: `19${50 + (i % 5)}0101`, postcode: String(3000 + (i % 3)), state: 'vic',
  },
}, personConfig.attributes));

describe('the score step', () => {
  it('weighs every pair as scorePair does, an exact agreement by how common the agreed value is', () => {
    const pairs: number[] = [];
    for (let i = 0; i < records.length; i++) for (let j = i + 1; j < records.length; j++) pairs.push(i, j);
    const tf = termFrequencies(records, personConfig.comparisons);
    const compared = compareCandidatePairs(records, Uint32Array.from(pairs), personConfig.comparisons, tf);
    const model = estimateModel(records, compared, personConfig.comparisons, { tf });
    const weights = scoreWeights(records, compared, model, personConfig, tf);
    const byValue = new Map<string, number>();
    for (let p = 0; p < compared.count; p++) {
      const a = records[compared.left[p]]; const b = records[compared.right[p]];
      const single = scorePair(a, b, model, personConfig, tf);
      // scorePair sums its contributions rounded to 0.001 bit: ten of them.
      expect(Math.abs(weights[p] - single.weight), `${a.key} ${b.key}`).toBeLessThan(0.006);
      const surname = single.contributions.find((c) => c.attribute === 'surname')!;
      if (surname.level === 'exact') byValue.set(a.std.surname!, surname.weight);
    }
    // The rarer the shared surname, the more its agreement weighs.
    expect(byValue.get('quixley')!).toBeGreaterThan(byValue.get('nguyen')!);
    expect(byValue.get('nguyen')!).toBeGreaterThan(byValue.get('smith')! + 0.5);
  });
});
