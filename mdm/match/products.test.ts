import { describe, expect, it } from 'vitest';
import { blockCandidatePairs, blockingKeys } from '../block/index.js';
import { comparePair, levelLabel } from '../compare/index.js';
import { productConfig } from '../entities/index.js';
import { evaluateMatching, readLabelledCsv } from '../evaluate/index.js';
import { termFrequencies } from '../score/index.js';
import { standardiseModelNumbers, standardiseProductGrams, standardiseProductText, standardiseRecord } from '../standardise/index.js';
import { testDataFile } from '../testing/data.js';
import type { SourceRecord } from '../types.js';

const product = (system: string, sourceId: string, attributes: SourceRecord['attributes']) =>
  standardiseRecord({ entityType: 'product', system, sourceId, attributes }, productConfig.attributes);

describe('products without shared identifiers', () => {
  it('finds the same model number however it is punctuated or cased', () => {
    expect(standardiseModelNumbers('Sony Cyber-shot DSC-W120 7.2MP')).toContain('dscw120');
    expect(standardiseModelNumbers('sony dscw120 cybershot')).toBe('dscw120');
    expect(standardiseModelNumbers('SONY KDL 40V4100 bravia')?.split(' ')).toContain('40v4100');
    expect(standardiseModelNumbers('Sony Bravia KDL-40V4100')?.split(' ')).toEqual(expect.arrayContaining(['kdl40v4100', '40v4100']));
    expect(standardiseModelNumbers('Targus MB-0023 case')?.split(' ')).toContain('mb0023');
    expect(standardiseModelNumbers('Targus mb0023 case')).toBe('mb0023');
    expect(standardiseModelNumbers('Logitech cordless mouse')).toBeNull();
    // Stemmed words, stop words dropped: plural and singular meet.
    expect(standardiseProductText('The Cameras for Editing')).toBe(standardiseProductText('camera edit'));
    // Trigrams over the words run together: a word split or joined differently still meets.
    expect(standardiseProductGrams('The Print Shop 22')).toBe(standardiseProductGrams('printshop 22'));
    expect(standardiseProductGrams('clickart 950 000')).toBe(standardiseProductGrams('ClickArt 950000'));
    expect(standardiseProductGrams('ab')).toBeNull();
  });

  it('weighs a shared rare word above a shared common one (word counts from the catalogue)', () => {
    const records = [
      product('a', '1', { name: 'widget software' }),
      product('b', '1', { name: 'widget tool' }), // shares the rare "widget"
      product('b', '2', { name: 'gadget software' }), // shares "software", in every other record too
      ...Array.from({ length: 30 }, (_, i) => product('b', `x${i}`, { name: `thing${i} software` })),
    ];
    const words = productConfig.comparisons.find((c) => c.attribute === 'words')!;
    const tf = termFrequencies(records, productConfig.comparisons);
    // Plain cosine calls both pairs 0.5; weighted by rarity they part.
    expect(comparePair(records[0], records[1], words)).toBe(comparePair(records[0], records[2], words));
    expect(comparePair(records[0], records[1], words, tf)).toBeLessThan(comparePair(records[0], records[2], words, tf)); // a lower level is a stronger one
    expect(levelLabel(words.levels, comparePair(records[0], records[1], words, tf))).toMatch(/^wordCosine>=0\.(6|7|8)/);
  });

  it('blocks by each rare word, and skips a word too common to find anyone', () => {
    const rule = productConfig.blocking.find((r) => r.name === 'rare-word')!;
    const records = [
      product('a', '1', { name: 'Sony DSC-W120 camera' }),
      product('b', '1', { name: 'dscw120 cybershot' }),
      ...Array.from({ length: rule.maxBlockSize! + 5 }, (_, i) => product('b', `x${i}`, { name: `camera model ${i}` })),
    ];
    expect(blockingKeys(records[0], rule)).toEqual(expect.arrayContaining(['soni', 'dscw120', 'dsc', 'w120', 'camera'])); // words are stemmed: "sony" → "soni"
    const pairs = blockCandidatePairs(records, [rule]);
    const found = new Set<string>();
    for (let p = 0; p < pairs.length; p += 2) found.add(`${pairs[p]}-${pairs[p + 1]}`);
    expect(found.has('0-1')).toBe(true); // "dscw120"
    expect(found.has('0-2')).toBe(false); // only "camera", in more records than the block limit
  });

  it('takes a price ratio as evidence, whatever the currency notation, and a missing price as none', () => {
    const price = productConfig.comparisons.find((c) => c.attribute === 'listPrice')!;
    const a = product('a', '1', { name: 'x', listPrice: '139.99' });
    expect(levelLabel(price.levels, comparePair(a, product('b', '1', { name: 'x', listPrice: 'EUR 129,99' }), price))).toBe('ratio<=1.15');
    expect(levelLabel(price.levels, comparePair(a, product('b', '2', { name: 'x', listPrice: null }), price))).toBe('null');
    expect(levelLabel(price.levels, comparePair(a, product('b', '3', { name: 'x', listPrice: '899' }), price))).toBe('else');
  });

  it('links two shop catalogues one to one, and merges no look-alikes inside a shop', async () => {
    const input = await readLabelledCsv(testDataFile('products', 'two-shops.csv'), productConfig, { truth: 'truth', source: 'source' });
    const { accuracy, overall, within, result } = evaluateMatching(input, productConfig, { linkage: true });
    expect(accuracy.f1).toBeGreaterThanOrEqual(0.9);
    expect(overall.precision).toBeGreaterThanOrEqual(0.95);
    expect(within.predictedPairs).toBe(0);
    const clusterOf = new Map(result.clusters.flatMap((c) => c.members.map((m) => [m, c.members] as const)));
    // Photoshop CS3 and CS3 Extended; DSC-W120 and DSC-W130; MB-0023 and MB-0024: look-alikes, never one golden record.
    const idOf = (name: string) => `shop-a:${input.records.find((r) => r.system === 'shop-a' && String(r.attributes.name).startsWith(name))!.sourceId}`;
    for (const [x, y] of [['Adobe Photoshop CS3 Upgrade', 'Adobe Photoshop CS3 Extended'], ['Sony Cyber-shot DSC-W120', 'Sony Cyber-shot DSC-W130'], ['Targus MB-0023', 'Targus MB-0024']]) {
      expect(clusterOf.get(idOf(x))).not.toContain(idOf(y));
    }
    // And the shop-B record of the DSC-W120 is linked to the shop-A DSC-W120, not to the W130.
    const w120b = input.records.find((r) => r.system === 'shop-b' && r.attributes.name === 'sony dscw120 cybershot camera black')!;
    expect(clusterOf.get(`shop-b:${w120b.sourceId}`)).toContain(idOf('Sony Cyber-shot DSC-W120'));
  });
});
