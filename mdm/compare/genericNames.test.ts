import { describe, expect, it } from 'vitest';
import { customerConfig } from '../entities/index.js';
import type { EntityConfig } from '../entities/types.js';
import { scorePair, termFrequencies, type FellegiSunterModel } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { comparePair, isGenericName, levelCount, levelLabel, tokenTableName } from './index.js';

const company = (sourceId: string, name: string, city: string | null, system = 'erp') =>
  standardiseRecord({ entityType: 'customer', system, sourceId, attributes: { name, city, country: 'DE' } }, customerConfig.attributes);

// 80 companies whose names are two common words ("global", "central" × "trading", "services": each in half the
// names), and a few of distinctive ones: "Vectorfield Industries" (a rare word), "Hugel & Schnurer" (two surnames
// each common here, seldom together).
const population = [
  ...Array.from({ length: 80 }, (_, i) => company(`p${i}`, `${i % 2 ? 'Global' : 'Central'} ${i % 4 < 2 ? 'Trading' : 'Services'} ${i} GmbH`, `City ${i}`)),
  ...Array.from({ length: 12 }, (_, i) => company(`h${i}`, `Hugel ${['Bau', 'Holz', 'Stahl'][i % 3]}${i} GmbH`, `City ${i}`)),
  ...Array.from({ length: 12 }, (_, i) => company(`s${i}`, `Schnurer ${['Bau', 'Holz', 'Stahl'][i % 3]}${i} GmbH`, `City ${i}`)),
];
const generic = [company('g1', 'Global Trading GmbH', 'Hamburg'), company('g2', 'Global Trading GmbH', 'München', 'crm')];
const distinctive = [company('d1', 'Vectorfield Industries GmbH', 'Hamburg'), company('d2', 'Vectorfield Industries GmbH', 'München', 'crm')];
const records = [...population, ...generic, ...distinctive, company('u1', 'Hugel & Schnurer GmbH', 'Hamburg'), company('u2', 'Hugel & Schnurer GmbH', 'München', 'crm')];
const tf = termFrequencies(records, customerConfig.comparisons);
const genericName = customerConfig.comparisons.find((c) => c.attribute === 'genericName')!;
const level = (a: ReturnType<typeof company>, b: ReturnType<typeof company>) => levelLabel(genericName.levels, comparePair(a, b, genericName, tf));

describe('a generic company name in two cities', () => {
  it('calls a name generic when the records expected to hold all its words, by the engine\'s word counts, reach the threshold', () => {
    const shares = tf.get(tokenTableName('genericName'));
    expect(isGenericName('global trading', shares, 10)).toBe(true); // 110 records × 42/110 × 42/110 ≈ 16
    expect(isGenericName('vectorfield industries', shares, 10)).toBe(false); // in 2 records
    expect(isGenericName('hugel and schnurer', shares, 10)).toBe(false); // each surname in 14 of 110 records, with "and" in 2: 0.05
    expect(isGenericName('global trading', undefined, 10)).toBe(false); // no counts (an incremental match before a batch counted): nothing is generic
  });

  it('takes a generic name in two different cities as two companies, and not a distinctive one, the same city, a typo or a missing city', () => {
    expect(level(generic[0], generic[1])).toBe('conflict');
    expect(level(distinctive[0], distinctive[1])).toBe('distinctiveOrSame(city)');
    expect(level(records.at(-2)!, records.at(-1)!)).toBe('distinctiveOrSame(city)');
    expect(level(generic[0], company('g3', 'Global Trading GmbH', 'HAMBURG', 'crm'))).toBe('distinctiveOrSame(city)');
    expect(level(generic[0], company('g4', 'Global Trading GmbH', 'Hamburgg', 'crm'))).toBe('distinctiveOrSame(city)');
    expect(level(generic[0], company('g5', 'Global Trading GmbH', null, 'crm'))).toBe('distinctiveOrSame(city)');
    expect(genericName.agreeWeight).toBe(0);
    expect(genericName.conflictWeight).toBeLessThan(0);
  });

  it('does not merge a generic name in two cities that would merge without this evidence; a distinctive one still merges', () => {
    // A model as EM learns it where one company's records may name different cities (a branch, a move): a
    // different city weighs little. λ puts the generic pair at 6 bits without the new evidence (merge needs 4.25).
    const model = (config: EntityConfig, prior: number): FellegiSunterModel => ({
      entityType: 'customer', lambda: 2 ** prior / (1 + 2 ** prior), iterations: 1,
      comparisons: config.comparisons.map((c) => {
        const levels = Array.from({ length: levelCount(c) }, (_, l) => levelLabel(c.levels, l));
        const m = levels.map((_, l) => (l === 1 ? 0.9 : 0.1 / (levels.length - 2)));
        const u = levels.map((_, l) => (l === 1 ? 0.01 : c.attribute === 'city' ? 0.99 / (levels.length - 2) : 0.5));
        return { attribute: c.attribute, levels, m, u };
      }),
    });
    const without: EntityConfig = { ...customerConfig, comparisons: customerConfig.comparisons.filter((c) => c.attribute !== 'genericName') };
    const prior = 6 - scorePair(generic[0], generic[1], model(without, 0), without, tf).weight;
    expect(scorePair(generic[0], generic[1], model(without, prior), without, tf).outcome).toBe('merge');

    const decision = scorePair(generic[0], generic[1], model(customerConfig, prior), customerConfig, tf);
    expect(decision.outcome).not.toBe('merge');
    expect(decision.contributions.find((c) => c.attribute === 'genericName')).toMatchObject({ level: 'conflict', weight: genericName.conflictWeight });
    expect(scorePair(distinctive[0], distinctive[1], model(customerConfig, prior), customerConfig, tf).outcome).toBe('merge');
  });
});
