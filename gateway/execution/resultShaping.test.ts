import { createRequire } from 'node:module';
import path from 'node:path';
import { buildSchema, operationFromDocument, type Selection } from '@apollo/federation-internals';
import { parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createResultShaping, SUPPORTED_GATEWAY_VERSION } from './resultShaping.js';

/**
 * The compiled result shaping must answer what @apollo/gateway's own
 * computeResponse answers — data (key order included), errors with their
 * paths, and thrown assertions — so every case runs through both.
 */
const require = createRequire(import.meta.url);
const gatewayDir = path.dirname(require.resolve('@apollo/gateway'));
const apollo = (require(path.join(gatewayDir, 'resultShaping.js')) as { computeResponse: Parameters<typeof createResultShaping>[0] }).computeResponse;
const compiled = createResultShaping(apollo);

const schema = buildSchema(`
  scalar JSON
  enum Stage { OPEN WON LOST }
  interface Node { id: ID! }
  type Query {
    customers(first: Int): [Customer!]!
    customer(id: ID!): Customer
    node(id: ID!): Node
    search: [Result]
    strict: Customer!
    numbers: [Int!]
  }
  union Result = Customer | Product
  type Customer implements Node {
    id: ID!
    name: String
    constructor: String
    toString: String
    balance: Float
    count: Int!
    active: Boolean
    meta: JSON
    stage: Stage
    orders: [Order]
    tags: [String!]
    best: Product
  }
  type Order { number: String! total: Float lines: [Line!] }
  type Line { quantity: Int product: Product! }
  type Product implements Node { id: ID! sku: String! name: String price: Float stock: Stock }
  type Stock { onHand: Int reserved: Int }
`);

function run(fn: typeof apollo, query: string, input: unknown, variables?: Record<string, unknown>) {
  const operation = operationFromDocument(schema, parse(query), { validate: false });
  try {
    // Each function gets its own copy: the input is never changed, but an equal start is cheap to guarantee.
    const { data, errors } = fn({
      operation,
      variables,
      input: structuredClone(input) as Record<string, unknown>,
      introspectionHandling: (selection: Selection) => ({ introspected: selection.toString() }),
    });
    return {
      data: JSON.stringify(data),
      errors: errors.map((e) => {
        const error = e as { message: string; path?: unknown; extensions?: { code?: unknown } };
        return { message: error.message, path: error.path, code: error.extensions?.code };
      }),
    };
  } catch (error) {
    return { threw: (error as Error).message };
  }
}

function same(query: string, input: unknown, variables?: Record<string, unknown>) {
  const expected = run(apollo, query, input, variables);
  expect(run(compiled, query, input, variables)).toEqual(expected);
  return expected;
}

const customer = (n: number) => ({
  __typename: 'Customer', id: String(n), name: `C${n}`, balance: n * 1.5, count: n, active: n % 2 === 0, meta: { any: [n] }, stage: 'OPEN',
  tags: ['a', 'b'],
  orders: [
    { number: `O${n}`, total: 10.5, lines: [{ quantity: 2, product: { __typename: 'Product', id: `p${n}`, sku: `S${n}`, name: 'Bolt', price: 1.25, stock: { onHand: 3, reserved: 1 } } }] },
    { number: `P${n}`, total: null, lines: [] },
  ],
  best: null,
});

describe('compiled result shaping (issue 14) answers what @apollo/gateway does', () => {
  it('is checked against the @apollo/gateway version it mirrors', () => {
    expect((require(path.join(gatewayDir, '..', 'package.json')) as { version: string }).version).toBe(SUPPORTED_GATEWAY_VERSION);
  });

  it('nested lists and objects, aliases, repeated fields through fragments, __typename', () => {
    const query = `query($first: Int) {
      customers(first: $first) {
        __typename id alias: name balance count active meta stage tags
        orders { number total lines { quantity product { sku name stock { onHand available: reserved } } } }
        ... on Customer { orders { total kind: __typename } }
        ...F
      }
    }
    fragment F on Node { id ... on Customer { name } }`;
    // Subgraph answers are keyed by response name: the input carries the alias.
    const result = same(query, { customers: [{ ...customer(1), alias: 'A1' }, customer(2), customer(3)] }, { first: 3 });
    expect(result.data).toContain('"alias":"A1"');
    expect(result.data).toContain('"kind":"Order"');
  });

  it('null bubbling from non-null fields and list items, with its errors and paths', () => {
    const query = '{ customers { id count orders { number lines { quantity product { sku } } } } strict { id count } }';
    const broken = customer(1);
    (broken.orders[0] as Record<string, unknown>).number = null;
    const noSku = customer(2);
    (noSku.orders[0].lines[0].product as Record<string, unknown>).sku = null;
    const noCount = { ...customer(3), count: null };
    same(query, { customers: [broken, noSku], strict: customer(4) });
    same(query, { customers: [customer(1), noCount], strict: customer(4) });
    same(query, { customers: [customer(1)], strict: null });
    same(query, { customers: [customer(1)], strict: { ...customer(5), count: null } });
  });

  it('missing fields, invalid leaves and invalid __typename become errors as Apollo words them', () => {
    const query = '{ customer(id: "1") { id name balance count active stage meta tags best { sku } } numbers search { ... on Customer { id } ... on Product { sku } } }';
    same(query, { customer: { __typename: 'Customer', id: 7, name: 3, balance: 'x', count: 1.5, active: 'yes', stage: 'NOPE', meta: null, tags: ['a', 2] }, numbers: [1, 2.5, null, '3'] });
    same(query, { customer: { __typename: 'Customer', id: 1.5, count: Infinity, balance: NaN }, numbers: null });
    same(query, { customer: { __typename: 'Nope', id: '1' }, search: [{ __typename: 'Product', sku: 'S' }, { __typename: 'Customer', id: '2' }, null] });
    same(query, { customer: { id: '1', count: 1, best: { __typename: 'Stock', sku: 'x' } } });
  });

  it('names that are also Object.prototype properties', () => {
    const query = '{ customer(id: "1") { id constructor toString valueOf: name hasOwnProperty: name } }';
    same(query, { customer: { __typename: 'Customer', id: '1', constructor: 'c', toString: 't', valueOf: 'v' } });
    same(query, { customer: { __typename: 'Customer', id: '1' } });
  });

  it('an alias __proto__ falls back to Apollo and answers the same', () => {
    same('{ customer(id: "1") { __proto__: name id } }', { customer: { __typename: 'Customer', id: '1', ['__proto__' as string]: 'x' } });
  });

  it('@skip and @include with literals, variables and defaults; a bad variable throws the same error', () => {
    const query = `query($skip: Boolean = true, $inc: Boolean!) {
      customers { id name @skip(if: $skip) balance @include(if: $inc) count @skip(if: false) ... on Customer @include(if: $inc) { stage } }
    }`;
    same(query, { customers: [customer(1), customer(2)] }, { inc: true });
    same(query, { customers: [customer(1)] }, { skip: false, inc: false });
    expect(same(query, { customers: [customer(1)] }, { inc: 'yes' })).toHaveProperty('threw');
    // Not reached (no customers): neither evaluates the directive.
    same(query, { customers: [] }, { inc: 'yes' });
  });

  it('type conditions on interfaces and unions, with and without __typename', () => {
    const query = '{ node(id: "1") { id ... on Customer { name } ... on Product { sku } } search { __typename ... on Node { id } ... on Product { price } } }';
    same(query, { node: { __typename: 'Product', id: 'p', sku: 'S' }, search: [customer(1), { __typename: 'Product', id: 'p', price: 2 }] });
    same(query, { node: { id: 'p', sku: 'S', name: 'n' }, search: [] });
  });

  it('introspection fields are answered by the handler, as in Apollo', () => {
    same('{ __typename customer(id: "1") { id } __schema { queryType { name } } }', { customer: { __typename: 'Customer', id: '1' } });
  });

  it('assertions on malformed subgraph data throw the same messages', () => {
    same('{ customers { id orders { number } } }', { customers: [{ __typename: 'Customer', id: '1', orders: { number: 'x' } }] });
    same('{ customers { id best { sku } } }', { customers: [{ __typename: 'Customer', id: '1', best: 'x' }] });
    same('{ customers { id } }', { customers: [{ __typename: 7, id: '1' }] });
  });

  it('random trees: same answer as Apollo on 300 generated inputs', () => {
    const query = `{
      customers { __typename id name balance count active stage tags
        orders { number total lines { quantity product { id sku name price stock { onHand reserved } } } }
        best { sku name } }
      search { ... on Customer { id count } ... on Product { sku } }
    }`;
    let seed = 42;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T,>(values: readonly T[]) => values[Math.floor(random() * values.length)];
    const leaf = () => pick<unknown>(['s', 1, 2.5, true, null, null, undefined, 'OPEN', -3]);
    const maybe = <T,>(value: () => T) => pick<unknown>([value(), value(), value(), null, undefined, 'oops']);
    const product = () => ({ __typename: 'Product', id: maybe(() => 'p'), sku: maybe(() => 'S'), name: leaf(), price: leaf(), stock: maybe(() => ({ onHand: leaf(), reserved: leaf() })) });
    const order = () => ({ number: maybe(() => 'O'), total: leaf(), lines: maybe(() => Array.from({ length: Math.floor(random() * 3) }, () => ({ quantity: leaf(), product: maybe(product) }))) });
    const customerOf = () => ({
      __typename: 'Customer', id: maybe(() => 'c'), name: leaf(), balance: leaf(), count: maybe(() => 1), active: leaf(), stage: pick(['OPEN', 'WON', 'X', null]),
      tags: maybe(() => ['a', leaf()]), orders: maybe(() => Array.from({ length: Math.floor(random() * 3) }, () => maybe(order))), best: maybe(product),
    });
    for (let i = 0; i < 300; i++) {
      const input = {
        customers: Array.from({ length: Math.floor(random() * 4) }, () => (random() < 0.9 ? customerOf() : null)),
        search: maybe(() => [customerOf(), product(), null]),
      };
      same(query, JSON.parse(JSON.stringify(input)));
    }
  });
});
