import { describe, expect, it } from 'vitest';
import { clusterRecords } from '../cluster/index.js';
import { comparePair, levelLabel } from '../compare/index.js';
import { customerConfig, personConfig, productConfig } from '../entities/index.js';
import { standardiseLegalForm, standardiseRecord } from '../standardise/index.js';
import { evaluateMatching, readFebrlFile } from '../evaluate/index.js';
import { testDataFile } from '../testing/data.js';
import { scorePair, type FellegiSunterModel } from '../score/index.js';

describe('the match pipeline', () => {
  it('de-duplicates FEBRL dataset1 with F1 of at least 0.98, explaining each merge', async () => {
    const input = await readFebrlFile(testDataFile('febrl', 'dataset1.csv'));
    const { accuracy, result } = evaluateMatching(input, personConfig);
    expect(accuracy.f1).toBeGreaterThanOrEqual(0.98);
    const merge = result.decisions.find((d) => d.outcome === 'merge')!;
    expect(merge.contributions.map((c) => c.attribute)).toEqual(personConfig.comparisons.map((c) => c.attribute));
    expect(JSON.parse(JSON.stringify(merge))).toEqual(merge); // decisions are plain data
  });

  it('refuses to chain two clusters through one link the other pairs contradict', () => {
    const edges = [
      { left: 'a:1', right: 'a:2', weight: 20, probability: 1, rule: 'fs' },
      { left: 'a:3', right: 'a:4', weight: 20, probability: 1, rule: 'fs' },
      { left: 'a:2', right: 'a:3', weight: 8, probability: 0.99, rule: 'fs' },
    ];
    const scored = [...edges, { left: 'a:1', right: 'a:4', weight: -15 }, { left: 'a:1', right: 'a:3', weight: -2 }];
    const guarded = clusterRecords(['a:1', 'a:2', 'a:3', 'a:4'], edges, { scored, guard: { supportWeight: 0 } });
    expect(guarded.map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3', 'a:4']]);
    const unguarded = clusterRecords(['a:1', 'a:2', 'a:3', 'a:4'], edges);
    expect(unguarded.map((c) => c.members)).toEqual([['a:1', 'a:2', 'a:3', 'a:4']]);
  });

  it('never joins a pair a steward ruled apart, even through a third record', () => {
    const edges = [
      { left: 'a:1', right: 'a:2', weight: 20, probability: 1, rule: 'fs' },
      { left: 'a:2', right: 'a:3', weight: 20, probability: 1, rule: 'fs' },
    ];
    const clusters = clusterRecords(['a:1', 'a:2', 'a:3'], edges, { cannotLink: [['a:1', 'a:3']] });
    expect(clusters.map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3']]);
  });

  it('takes two different valid identifiers as a conflict, and a typo failing its check digit as a near match', () => {
    const product = (id: string, sku: string, gtin: string | null) =>
      standardiseRecord({ entityType: 'product', system: 'erp', sourceId: id, attributes: { sku, gtin, name: 'Flange Nut M10x20, Brass' } }, productConfig.attributes);
    const level = (attribute: string, a: ReturnType<typeof product>, b: ReturnType<typeof product>) => {
      const comparison = productConfig.comparisons.find((c) => c.attribute === attribute)!;
      return levelLabel(comparison.levels, comparePair(a, b, comparison));
    };
    const a = product('1', 'ACM-10042', '4006381333931');
    expect(level('sku', a, product('2', 'acm10042', null))).toBe('exact');
    expect(level('sku', a, product('3', 'ACM-10043', null))).toBe('conflict'); // the next SKU in sequence is another product
    expect(level('gtin', a, product('4', 'X', '4006381333924'))).toBe('conflict'); // both check digits valid
    expect(level('gtin', a, product('5', 'X', '4006381333932'))).toBe('damerau<=1'); // a typo: check digit fails
    expect(level('gtin', a, product('6', 'X', null))).toBe('null');
    const taxId = customerConfig.comparisons.find((c) => c.attribute === 'taxId')!;
    expect(taxId.conflictWeight).toBeLessThan(-5);
  });

  it('joins two clusters only when every pair scored between them supports it (a chain whose ends disagree stays apart)', () => {
    const edges = [
      { left: 'a:1', right: 'a:2', weight: 20, probability: 1, rule: 'fs' },
      { left: 'a:3', right: 'a:4', weight: 20, probability: 1, rule: 'fs' },
      { left: 'a:2', right: 'a:3', weight: 8, probability: 0.99, rule: 'fs' },
    ];
    // a:1 and a:4 agree (weight 9); a:1 and a:3 do not (weight 2: no veto, just no support).
    const scored = [...edges, { left: 'a:1', right: 'a:4', weight: 9 }, { left: 'a:1', right: 'a:3', weight: 2 }];
    const keys = ['a:1', 'a:2', 'a:3', 'a:4'];
    expect(clusterRecords(keys, edges, { scored, guard: { supportWeight: 5, minCrossSupport: 0.5 } }).map((c) => c.members)).toEqual([keys]);
    expect(clusterRecords(keys, edges, { scored, guard: { supportWeight: 5, minCrossSupport: 1 } }).map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3', 'a:4']]);
    expect(customerConfig.cluster?.minCrossSupport).toBe(1);
  });

  it('reads the legal form off a company name, and takes two different ones as two companies, one shared as no evidence', () => {
    expect(standardiseLegalForm('Müller & Weber GmbH')).toBe('gmbh');
    expect(standardiseLegalForm('Müller & Weber Gesellschaft mit beschränkter Haftung')).toBe('gmbh');
    expect(standardiseLegalForm('Becker GmbH & Co. KG')).toBe('kg');
    expect(standardiseLegalForm('Globex Corp.')).toBe(standardiseLegalForm('Globex Corporation'));
    expect(standardiseLegalForm('Verhaeghe SRL', 'BE')).toBe(standardiseLegalForm('Verhaeghe B.V.', 'BE'));
    expect(standardiseLegalForm('Cerullo S.r.l.', 'IT')).toBe('srl');
    expect(standardiseLegalForm('POLARTECH GROUP')).toBeNull();
    const company = (id: string, name: string) =>
      standardiseRecord({ entityType: 'customer', system: 'erp', sourceId: id, attributes: { name, country: 'DE' } }, customerConfig.attributes);
    const legalForm = customerConfig.comparisons.find((c) => c.attribute === 'legalForm')!;
    const level = (a: string, b: string) => levelLabel(legalForm.levels, comparePair(company('1', a), company('2', b), legalForm));
    expect(level('Heinig Maschinenbau AG', 'Heinig Maschinenbau GmbH')).toBe('conflict');
    expect(level('Heinig Maschinenbau GmbH', 'HEINIG MASCHINENBAU G.m.b.H.')).toBe('exact');
    expect(level('Heinig Maschinenbau GmbH', 'Heinig Maschinenbau')).toBe('null'); // a dropped legal form says nothing
    expect(legalForm.agreeWeight).toBe(0);
    expect(legalForm.conflictWeight).toBeLessThan(-5);
  });

  it('takes a word one company name has and the other lacks as two companies (parent, subsidiary, sister), but not a typo or an abbreviation', () => {
    const company = (id: string, name: string) =>
      standardiseRecord({ entityType: 'customer', system: 'erp', sourceId: id, attributes: { name, country: 'US' } }, customerConfig.attributes);
    const nameWords = customerConfig.comparisons.find((c) => c.attribute === 'nameWords')!;
    const level = (a: string, b: string) => levelLabel(nameWords.levels, comparePair(company('1', a), company('2', b), nameWords));
    // The patterns behind the false merges at 200,000 companies.
    expect(level('Vectorfield Industries Inc.', 'Vectorfield Services Inc.')).toBe('conflict');
    expect(level('Silverdata Inc.', 'Silverdata Solutions Inc')).toBe('conflict');
    expect(level('Acme Holding GmbH', 'Acme GmbH')).toBe('conflict');
    expect(level('Moreau & Gautier SARL', 'Moreau Industrie SARL')).toBe('conflict');
    expect(level('Lumendata Inc.', 'Lumensoft Inc.')).toBe('conflict');
    // How clerks write one company: typos (two in a long word), abbreviations, "&" written out, words run together.
    expect(level('Silverdata Solutions Inc', 'Silverdata Sol. INC')).toBe('sameNameWords');
    expect(level('Apexfrm SA', 'Apexfomr SA')).toBe('sameNameWords');
    expect(level('Emert Maschinenbau GmbH', 'Emert Maschb. GmbH')).toBe('sameNameWords');
    expect(level('Biedermann Elektrotechnik GmbH', 'Biedermann E-Technik G.m.b.H.')).toBe('sameNameWords');
    expect(level('Raabe & Kahl GmbH', 'Raabe und Kahl GmbH')).toBe('sameNameWords');
    expect(level('Nova Core Ltd', 'Novacore Limited')).toBe('sameNameWords');
    expect(level('Quantumwave Company GmbH', 'Quantumwave Comapny GmbH')).toBe('sameNameWords');
    expect(level('Acme GmbH', null as unknown as string)).toBe('null');
    expect(nameWords.agreeWeight).toBe(0);
    expect(nameWords.conflictWeight).toBeLessThan(-5);
  });

  it('scores with a model stored before a comparison was added: the new one weighs only its fixed conflict weight until the next batch', () => {
    const company = (id: string, name: string) =>
      standardiseRecord({ entityType: 'customer', system: 'erp', sourceId: id, attributes: { name, city: 'Lyon', country: 'FR' } }, customerConfig.attributes);
    const trained = customerConfig.comparisons.filter((c) => c.attribute !== 'nameWords');
    const model: FellegiSunterModel = {
      entityType: 'customer', lambda: 1e-4, iterations: 1,
      comparisons: trained.map((c) => {
        const levels = Array.from({ length: c.levels.length + (c.conflictWeight === undefined ? 2 : 3) }, (_, l) => levelLabel(c.levels, l));
        return { attribute: c.attribute, levels, m: levels.map((_, l) => (l === 1 ? 0.9 : 0.1)), u: levels.map(() => 0.1) };
      }),
    };
    const decision = scorePair(company('1', 'Vectorfield Industries SARL'), company('2', 'Vectorfield Services SARL'), model, customerConfig, new Map());
    const words = decision.contributions.find((c) => c.attribute === 'nameWords')!;
    expect(words.level).toBe('conflict');
    expect(words.weight).toBe(customerConfig.comparisons.find((c) => c.attribute === 'nameWords')!.conflictWeight);
    expect(decision.contributions.find((c) => c.attribute === 'city')!.weight).toBeCloseTo(Math.log2(9), 3); // the trained ones keep their place
  });
});
