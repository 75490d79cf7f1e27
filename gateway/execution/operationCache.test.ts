import { buildSchema, operationFromDocument } from '@apollo/federation-internals';
import { Kind, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it, vi } from 'vitest';
import { cachingOperationFromDocument } from './operationCache.js';

const schema = buildSchema('type Query { a: Int b(x: Int): String c: C } type C { d: Int }');

/** The document executeQueryPlan builds per request: the cached operation node and its fragments, in a fresh wrapper. */
function wrapperOf(source: ReturnType<typeof parse>) {
  return { kind: Kind.DOCUMENT, definitions: [...source.definitions] } as const;
}

describe('operationFromDocument cached per operation node (issue 14)', () => {
  it('answers the same Operation for the same nodes and schema, built once', () => {
    const original = vi.fn(operationFromDocument);
    const cached = cachingOperationFromDocument(original);
    const source = parse('query Q($x: Int = 1) { a b(x: $x) ...F } fragment F on Query { c { d } }');
    const first = cached(schema, wrapperOf(source), { validate: false });
    const second = cached(schema, wrapperOf(source), { validate: false });
    expect(second).toBe(first);
    expect(original).toHaveBeenCalledTimes(1);
    expect(first.toString()).toBe(operationFromDocument(schema, source, { validate: false }).toString());
  });

  it('builds again for another schema, other fragment nodes, or any other options', () => {
    const original = vi.fn(operationFromDocument);
    const cached = cachingOperationFromDocument(original);
    const source = parse('{ a ...F } fragment F on Query { c { d } }');
    cached(schema, wrapperOf(source), { validate: false });
    const otherSchema = buildSchema('type Query { a: Int b(x: Int): String c: C } type C { d: Int }');
    cached(otherSchema, wrapperOf(source), { validate: false });
    const otherFragment = parse('fragment F on Query { a }').definitions[0];
    const changed = { kind: Kind.DOCUMENT, definitions: [source.definitions[0] as OperationDefinitionNode, otherFragment] } as const;
    const rebuilt = cached(schema, changed, { validate: false });
    expect(rebuilt.toString()).toContain('a');
    cached(schema, wrapperOf(source));
    expect(() => cached(schema, wrapperOf(source), { validate: false, operationName: 'X' })).toThrow(/Unknown operation named "X"/);
    expect(original).toHaveBeenCalledTimes(5);
  });

  it('does not keep a failure', () => {
    const cached = cachingOperationFromDocument(operationFromDocument);
    const source = parse('{ a ...F } fragment F on Nope { a }');
    expect(() => cached(schema, wrapperOf(source), { validate: false })).toThrow(/Unknown type "Nope"/);
    expect(() => cached(schema, wrapperOf(source), { validate: false })).toThrow(/Unknown type "Nope"/);
  });
});
