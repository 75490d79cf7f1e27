import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Introspection over the real stack (ADR 0003): each caller's `__schema` and
 * `__type` answers show only what their rules let them read, GraphiQL's
 * standard introspection query still builds a client schema for every
 * profile, and "Did you mean …?" never names a hidden field. The stack runs
 * outside production, where everyone may introspect: the filtering is the
 * same as in production, where only `explore` callers get this far.
 */
let stack: TestStack;
type Caller = 'anonymous' | 'demo-analyst' | 'demo-steward' | 'demo-admin';
const clientSchemas = new Map<Caller, GraphQLSchema>();

function headersOf(caller: Caller): Record<string, string> {
  return caller === 'anonymous' ? {} : stack.headersFor(caller);
}

function fieldsOf(caller: Caller, typeName: string): string[] {
  const type = clientSchemas.get(caller)!.getType(typeName);
  return type && 'getFields' in type ? Object.keys(type.getFields()) : [];
}

beforeAll(async () => {
  stack = await startTestStack({ companies: 40 });
  for (const caller of ['anonymous', 'demo-analyst', 'demo-steward', 'demo-admin'] as const) {
    const { status, body } = await postGraphQL(stack.gatewayUrl, getIntrospectionQuery(), {}, headersOf(caller));
    expect(status, caller).toBe(200);
    expect(body.errors, caller).toBeUndefined();
    clientSchemas.set(caller, buildClientSchema(body.data as IntrospectionQuery));
  }
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('introspection per caller', () => {
  it('shows an analyst no stewardship, but the customer fields they read (masked PII included)', () => {
    const analyst = clientSchemas.get('demo-analyst')!;
    expect(fieldsOf('demo-analyst', 'Query')).not.toContain('reviewQueue');
    expect(fieldsOf('demo-analyst', 'Query')).not.toContain('history');
    expect(analyst.getMutationType()?.getFields().mergeCustomers).toBeUndefined();
    expect(analyst.getType('MatchCandidate')).toBeUndefined();
    expect(fieldsOf('demo-analyst', 'Customer')).toEqual(expect.arrayContaining(['taxId', 'openBalance', 'deals', 'invoices']));
  });

  it('shows a steward the review queue and merges, not finance or sales fields', () => {
    expect(fieldsOf('demo-steward', 'Query')).toContain('reviewQueue');
    expect(clientSchemas.get('demo-steward')!.getMutationType()?.getFields().mergeCustomers).toBeDefined();
    expect(clientSchemas.get('demo-steward')!.getType('MatchCandidate')).toBeDefined();
    const customer = fieldsOf('demo-steward', 'Customer');
    expect(customer).toContain('taxId');
    for (const hidden of ['openBalance', 'creditLimit', 'invoices', 'deals', 'tickets']) expect(customer).not.toContain(hidden);
  });

  it('shows the admin everything', () => {
    expect(fieldsOf('demo-admin', 'Query')).toEqual(expect.arrayContaining(['reviewQueue', 'history', 'searchCustomers']));
    expect(fieldsOf('demo-admin', 'Customer')).toEqual(expect.arrayContaining(['taxId', 'openBalance', 'deals', 'tickets', 'orders']));
    expect(fieldsOf('demo-admin', 'Product')).toEqual(expect.arrayContaining(['stock', 'sources']));
    expect(clientSchemas.get('demo-admin')!.getType('MatchCandidate')).toBeDefined();
  });

  it('shows anonymous callers the public catalogue only: no Customer, Product without stock', () => {
    const anonymous = clientSchemas.get('anonymous')!;
    expect(anonymous.getType('Customer')).toBeUndefined();
    expect(anonymous.getMutationType()).toBeFalsy(); // no mutation an anonymous caller may call
    expect(fieldsOf('anonymous', 'Product')).toEqual(expect.arrayContaining(['id', 'sku', 'name']));
    expect(fieldsOf('anonymous', 'Product')).not.toContain('stock');
    expect(fieldsOf('anonymous', 'Product')).not.toContain('sources');
  });

  it('answers __type of a hidden type with null, and keeps data fields of a mixed operation', async () => {
    const query = '{ __typename mc: __type(name: "MatchCandidate") { name } products(first: 1) { nodes { name } } }';
    const analyst = await postGraphQL(stack.gatewayUrl, query, {}, stack.headersFor('demo-analyst'));
    expect(analyst.body.errors).toBeUndefined();
    expect(analyst.body.data.mc).toBeNull();
    expect(analyst.body.data.__typename).toBe('Query');
    expect(analyst.body.data.products.nodes).toHaveLength(1);
    const steward = await postGraphQL(stack.gatewayUrl, query, {}, stack.headersFor('demo-steward'));
    expect(steward.body.data.mc).toEqual({ name: 'MatchCandidate' });
  });

  it('suggests only fields the caller may read', async () => {
    const query = '{ reviewQueu { totalCount } }';
    const analyst = await postGraphQL(stack.gatewayUrl, query, {}, stack.headersFor('demo-analyst'));
    expect(analyst.status).toBe(400);
    expect(analyst.body.errors![0].message).toBe('Cannot query field "reviewQueu" on type "Query".');
    const steward = await postGraphQL(stack.gatewayUrl, query, {}, stack.headersFor('demo-steward'));
    expect(steward.body.errors![0].message).toMatch(/Did you mean "reviewQueue"\?$/);
    const visible = await postGraphQL(stack.gatewayUrl, '{ products(first: 1) { nodes { nam } } }', {}, stack.headersFor('demo-analyst'));
    expect(visible.body.errors![0].message).toMatch(/Did you mean "name"\?$/);
  });
});
