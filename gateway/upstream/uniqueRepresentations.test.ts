import { describe, expect, it } from 'vitest';
import { expandEntities, uniqueRepresentations } from './uniqueRepresentations.js';

const product = (sku: string) => ({ __typename: 'Product', sku });

describe('unique representations', () => {
  it('asks for each distinct representation once and answers every position', () => {
    const plan = uniqueRepresentations([product('a'), product('b'), product('a'), product('a')])!;
    expect(plan.unique).toEqual([product('a'), product('b')]);
    const answer = expandEntities({ data: { _entities: [{ name: 'A' }, { name: 'B' }] } }, plan);
    expect(answer.data).toEqual({ _entities: [{ name: 'A' }, { name: 'B' }, { name: 'A' }, { name: 'A' }] });
    const entities = (answer.data as { _entities: object[] })._entities;
    expect(entities[2]).not.toBe(entities[0]);
  });

  it('changes nothing when every representation is distinct', () => {
    expect(uniqueRepresentations([product('a'), product('b')])).toBeUndefined();
  });

  it('repeats an error about one representation at each of its positions', () => {
    const plan = uniqueRepresentations([product('a'), product('b'), product('a')])!;
    const answer = expandEntities({ data: { _entities: [null, { name: 'B' }] }, errors: [{ message: 'gone', path: ['_entities', 0, 'name'] }, { message: 'whole fetch' }] }, plan);
    expect(answer.data).toEqual({ _entities: [null, { name: 'B' }, null] });
    expect(answer.errors).toEqual([
      { message: 'gone', path: ['_entities', 0, 'name'] },
      { message: 'gone', path: ['_entities', 2, 'name'] },
      { message: 'whole fetch' },
    ]);
  });
});
