import { describe, expect, it } from 'vitest';
import { copyJson } from './copyJson.js';

/** Every object and array reachable from a value. */
function objectsOf(value: unknown, into = new Set<object>()): Set<object> {
  if (value !== null && typeof value === 'object') {
    into.add(value);
    for (const child of Object.values(value)) objectsOf(child, into);
  }
  return into;
}

describe('copyJson', () => {
  const text = JSON.stringify({
    data: { _entities: [{ __typename: 'Customer', id: '1', orders: [{ number: 'S1', total: 12.5, lines: [{ quantity: 2, open: true, note: null }] }] }, null] },
    errors: [{ message: 'x', path: ['_entities', 1], extensions: { code: 'NOT_FOUND' } }],
  });

  it('gives what parsing the same text again gives, sharing no object with the original', () => {
    const parsed = JSON.parse(text);
    const copy = copyJson(parsed);
    expect(copy).toEqual(JSON.parse(text));
    expect(JSON.stringify(copy)).toBe(text);
    const originals = objectsOf(parsed);
    for (const object of objectsOf(copy)) expect(originals.has(object)).toBe(false);
  });

  it('keeps a "__proto__" key an own property, as JSON.parse does, without touching the prototype', () => {
    const parsed = JSON.parse('{"data":{"__proto__":{"polluted":true},"name":"a"}}');
    const copy = copyJson(parsed);
    expect(Object.getPrototypeOf(copy.data)).toBe(Object.prototype);
    expect((copy.data as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy.data)).toEqual(['__proto__', 'name']);
    expect(JSON.stringify(copy)).toBe('{"data":{"__proto__":{"polluted":true},"name":"a"}}');
  });

  it('copies own keys only, not an enumerable property on Object.prototype', () => {
    const parsed = JSON.parse('{"a":{"b":1}}');
    let copy: typeof parsed;
    Object.defineProperty(Object.prototype, 'injected', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      copy = copyJson(parsed);
    } finally {
      delete (Object.prototype as Record<string, unknown>).injected;
    }
    expect(Object.keys(copy)).toEqual(['a']);
    expect(Object.keys(copy.a)).toEqual(['b']);
  });

  it('returns scalars as they are', () => {
    for (const scalar of ['s', 0, 1.5, true, false, null]) expect(copyJson(scalar)).toBe(scalar);
  });
});
