import { createServer } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { watchPreparedStatements } from '../../test/support/preparedStatements.js';
import { createPool, type RunningSubgraph, type SourceRequestEvent } from '../../platform/index.js';
import { loadMdmSubgraphConfig } from './config.js';
import { installMdmFixture } from './mdm.fixture.js';
import { startMdmSubgraph } from './server.js';
import { createMdmStore } from './mdmStore.js';
import { generateGatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../../platform/auth/index.js';
import { PROFILES } from '../../gateway/authorization/scopeMatrix.js';

// Subgraphs answer only the gateway (ADR 0003): these tests call them as the gateway would, for an admin.
const proofKey = generateGatewayProofSecret();
const proof = await signGatewayProof({ subject: 'test-admin', scopes: PROFILES.admin.scopes, ttlSec: 3600 }, proofKey);

const targets = await databaseTargets();

interface GraphQLResponse {
  data?: Record<string, any> | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

async function post(url: string, query: string, variables: Record<string, unknown> = {}): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_PROOF_HEADER]: proof },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as GraphQLResponse;
}

const customerFields = `id name taxId primaryEmail domain phone address { street city postcode country }
  sources { system sourceId matchScore rule linkedAt } erpPartnerIds crmCompanyIds`;

const entitiesQuery = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Customer { id name erpPartnerIds crmCompanyIds }
      ... on Product { id sku name gtin }
    }
  }
`;

function countByOperation(events: SourceRequestEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.operation] = (counts[event.operation] ?? 0) + 1;
  return counts;
}

const bulkCustomers = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'Customer', id: `cust-${1001 + i}` }));
const products = [
  { __typename: 'Product', sku: 'BOLT-M8' },
  { __typename: 'Product', sku: 'WASH-8' },
  { __typename: 'Product', id: 'prod-0002' },
];

describe('loadMdmSubgraphConfig', () => {
  it('defaults to port 4003 and prefers MDM_DATABASE_URL over DATABASE_URL', () => {
    expect(loadMdmSubgraphConfig({ DATABASE_URL: 'postgres://a/b' })).toMatchObject({ port: 4003, host: '127.0.0.1', databaseUrl: 'postgres://a/b' });
    expect(loadMdmSubgraphConfig({ DATABASE_URL: 'postgres://a/b', MDM_DATABASE_URL: 'postgres://m/m' }).databaseUrl).toBe('postgres://m/m');
    expect(() => loadMdmSubgraphConfig({ MDM_SUBGRAPH_PORT: 'x' })).toThrow(/MDM_SUBGRAPH_PORT/);
    expect(loadMdmSubgraphConfig({}).namedStatements).toBe(true);
    expect(loadMdmSubgraphConfig({ MDM_NAMED_STATEMENTS: 'false' }).namedStatements).toBe(false);
  });
});

for (const target of targets) {
  describe.skipIf(target.unavailable !== undefined)(`MDM subgraph on ${target.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let subgraph: RunningSubgraph;
    let events: SourceRequestEvent[] = [];

    beforeAll(async () => {
      database = await target.create();
      pool = createPool({ connectionString: database.url, max: 2 });
      await installMdmFixture(pool);
      subgraph = await startMdmSubgraph({
        ...loadMdmSubgraphConfig({}),
        port: 0,
        databaseUrl: database.url,
        gatewayProof: proofKey,
        onSourceRequest: (event) => events.push(event),
      });
    });

    afterAll(async () => {
      await subgraph?.close();
      await pool?.end();
      await database?.drop();
    });

    it('answers a golden customer with its attributes and every source record linked to it', async () => {
      const answer = await post(subgraph.url, `query ($id: ID!) { customer(id: $id) { ${customerFields} } }`, { id: 'cust-0001' });
      expect(answer.errors).toBeUndefined();
      expect(answer.data!.customer).toEqual({
        id: 'cust-0001',
        name: 'Acme NV',
        taxId: 'BE0123456789',
        primaryEmail: 'info@acme.example',
        domain: 'acme.example',
        phone: '+32 2 123 45 67',
        address: { street: 'Rue Haute 1', city: 'Brussels', postcode: '1000', country: 'BE' },
        sources: [
          { system: 'CRM', sourceId: '501', matchScore: 0.93, rule: 'name+domain', linkedAt: '2026-01-10T08:00:02Z' },
          { system: 'ERP', sourceId: '1', matchScore: null, rule: 'founder', linkedAt: '2026-01-10T08:00:00Z' },
          { system: 'ERP', sourceId: '2', matchScore: 0.97, rule: 'name+taxId', linkedAt: '2026-01-10T08:00:01Z' },
        ],
        erpPartnerIds: ['1', '2'],
        crmCompanyIds: ['501'],
      });
    });

    it('answers null without an error for an unknown customer and for one merged away', async () => {
      const answer = await post(subgraph.url, `{ unknown: customer(id: "cust-9999") { id } merged: customer(id: "cust-0003") { id } }`);
      expect(answer).toEqual({ data: { unknown: null, merged: null } });
    });

    it('pages customers in master-id order with opaque cursors', async () => {
      const query = `query ($first: Int, $after: String) {
        customers(first: $first, after: $after) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage endCursor } } }`;
      const first = await post(subgraph.url, query, { first: 2 });
      expect(first.data!.customers.edges.map((e: any) => e.node.id)).toEqual(['cust-0001', 'cust-0002']);
      expect(first.data!.customers.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });

      const second = await post(subgraph.url, query, { first: 100, after: first.data!.customers.pageInfo.endCursor });
      const ids = second.data!.customers.edges.map((e: any) => e.node.id);
      expect(ids).toHaveLength(20); // cust-0003 is inactive
      expect(ids[0]).toBe('cust-1001');
      expect(second.data!.customers.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    });

    it('refuses a cursor it did not issue and a page over 100 with BAD_USER_INPUT', async () => {
      const badCursor = await post(subgraph.url, `{ customers(after: "not-a-cursor") { nodes { id } } }`);
      expect(badCursor.errors?.[0]).toMatchObject({ path: ['customers'], extensions: { code: 'BAD_USER_INPUT' } });
      const tooMany = await post(subgraph.url, `{ customers(first: 101) { nodes { id } } }`);
      expect(tooMany.errors?.[0]).toMatchObject({ path: ['customers'], extensions: { code: 'BAD_USER_INPUT' } });
    });

    it('finds products by master id and by SKU', async () => {
      const answer = await post(
        subgraph.url,
        `{ byId: product(id: "prod-0001") { id sku gtin name manufacturer description erpProductIds crmProductIds }
           bySku: productBySku(sku: "WASH-8") { id sku gtin }
           none: productBySku(sku: "NOPE") { id }
           page: products(first: 1) { nodes { id } pageInfo { hasNextPage } } }`,
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data).toEqual({
        byId: {
          id: 'prod-0001',
          sku: 'BOLT-M8',
          gtin: '5400000000011',
          name: 'Steel bolt M8',
          manufacturer: 'Fastco',
          description: 'Zinc plated',
          erpProductIds: ['1'],
          crmProductIds: ['9'],
        },
        bySku: { id: 'prod-0002', sku: 'WASH-8', gtin: null },
        none: null,
        page: { nodes: [{ id: 'prod-0001' }], pageInfo: { hasNextPage: true } },
      });
    });

    it('resolves Customer and Product references with one statement per entity type and key, for 2 or 20 customers', async () => {
      events = [];
      const few = await post(subgraph.url, entitiesQuery, { representations: [...bulkCustomers(2), ...products] });
      const fewCounts = countByOperation(events);
      events = [];
      const many = await post(subgraph.url, entitiesQuery, { representations: [...bulkCustomers(20), ...products] });
      const manyCounts = countByOperation(events);

      const expected = { 'golden.customer.byId': 1, 'golden.product.bySku': 1, 'golden.product.byId': 1 };
      expect(fewCounts).toEqual(expected);
      expect(manyCounts).toEqual(expected);
      expect(many.errors).toBeUndefined();
      expect(many.data!._entities).toHaveLength(23);
      expect(many.data!._entities[19]).toEqual({ id: 'cust-1020', name: 'Bulk company 20', erpPartnerIds: ['120'], crmCompanyIds: ['9020'] });
      expect(few.data!._entities.slice(2)).toEqual([
        { id: 'prod-0001', sku: 'BOLT-M8', name: 'Steel bolt M8', gtin: '5400000000011' },
        { id: 'prod-0002', sku: 'WASH-8', name: 'Washer 8 mm', gtin: null },
        { id: 'prod-0002', sku: 'WASH-8', name: 'Washer 8 mm', gtin: null },
      ]);
    });

    it('prepares its reads once per connection by name, and sends them unnamed when told to (PgBouncer)', async () => {
      const single = createPool({ connectionString: database.url, max: 1 });
      try {
        const { added } = await watchPreparedStatements(single, 'mdm.');
        const unnamed = createMdmStore(single, { namedStatements: false });
        const unnamedCustomer = await unnamed.goldenByIds('customer', ['cust-0001']);
        expect(unnamedCustomer).toHaveLength(1);
        expect(await added()).toEqual([]);

        const named = createMdmStore(single);
        for (let run = 0; run < 2; run++) {
          expect(await named.goldenByIds('customer', ['cust-0001'])).toEqual(unnamedCustomer);
          expect(await named.goldenByIds('product', ['cust-0001'])).toEqual([]);
        }
        // Each parsed once, however often it ran.
        expect(await added()).toEqual(['mdm.golden.customer.byId', 'mdm.golden.product.byId']);
      } finally {
        await single.end();
      }
    });

    it('answers null for references it does not know, without an error', async () => {
      const answer = await post(subgraph.url, entitiesQuery, {
        representations: [
          { __typename: 'Customer', id: 'cust-9999' },
          { __typename: 'Product', sku: 'NOPE' },
        ],
      });
      expect(answer).toEqual({ data: { _entities: [null, null] } });
    });

    it('answers BAD_USER_INPUT for a NUL byte in an id, a SKU or a search term, and still answers the other fields', async () => {
      events = [];
      const answer = await post(
        subgraph.url,
        `query ($bad: ID!, $sku: String!) { bad: customer(id: $bad) { id } good: customer(id: "cust-0002") { id name } productBySku(sku: $sku) { id } }`,
        { bad: 'cust-0001\u0000', sku: 'BOLT\u0000M8' },
      );
      expect(answer.data).toEqual({ bad: null, good: { id: 'cust-0002', name: 'Bolt BV' }, productBySku: null });
      const byPath = Object.fromEntries((answer.errors ?? []).map((e) => [e.path?.join('.'), e.extensions]));
      expect(byPath).toMatchObject({ bad: { code: 'BAD_USER_INPUT', argumentName: 'id' }, productBySku: { code: 'BAD_USER_INPUT', argumentName: 'sku' } });
      expect(answer.errors).toHaveLength(2);
      const search = await post(subgraph.url, `query ($name: String!) { searchCustomers(name: $name) { nodes { id } } }`, { name: 'acme\u0000' });
      expect(search.errors?.map((e) => e.extensions)).toMatchObject([{ code: 'BAD_USER_INPUT', argumentName: 'name' }]);
      // The bad keys never reached the store: only the good customer was read.
      expect(countByOperation(events)).toEqual({ 'golden.customer.byId': 1 });
    });

    it('takes % and _ in a search term literally, not as LIKE wildcards', async () => {
      const search = async (name: string) =>
        (await post(subgraph.url, `query ($name: String!) { searchCustomers(name: $name, first: 100) { nodes { id } } }`, { name })).data!
          .searchCustomers.nodes.map((n: { id: string }) => n.id);
      expect(await search('%')).toEqual([]);
      expect(await search('_')).toEqual([]);
      expect(await search('acme')).toEqual(['cust-0001']);
    });
  });
}

describe('MDM subgraph with its store down', () => {
  let subgraph: RunningSubgraph;

  beforeAll(async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    subgraph = await startMdmSubgraph({
      ...loadMdmSubgraphConfig({}),
      port: 0,
      databaseUrl: `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
      gatewayProof: proofKey,
    });
  });
  afterAll(async () => {
    await subgraph?.close();
  });

  it('answers MDM_UNAVAILABLE with the path of each field it could not serve', async () => {
    const answer = await post(subgraph.url, `{ customer(id: "cust-0001") { id } products { nodes { id } } }`);
    expect(answer.data).toEqual({ customer: null, products: null });
    // errors come in the order the reads failed, not in field order
    expect(answer.errors).toHaveLength(2);
    expect(answer.errors?.map((e) => ({ path: e.path, code: e.extensions?.code }))).toEqual(expect.arrayContaining([
      { path: ['customer'], code: 'MDM_UNAVAILABLE' },
      { path: ['products'], code: 'MDM_UNAVAILABLE' },
    ]));
  });
});
