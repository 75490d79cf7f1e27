import { createServer } from 'node:net';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { watchPreparedStatements } from '../../test/support/preparedStatements.js';
import { createPool, type RunningSubgraph, type SourceRequestEvent } from '../../platform/index.js';
import { installErpFixture } from './erp.fixture.js';
import { loadErpSubgraphConfig } from './config.js';
import { startErpSubgraph } from './server.js';
import { createErpDatabase } from './erpDatabase.js';
import { generateGatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../../platform/auth/index.js';
import { PROFILES } from '../../gateway/authorization/scopeMatrix.js';

// Subgraphs answer only the gateway (ADR 0003): these tests call them as the gateway would, for an admin.
const proofKey = generateGatewayProofSecret();
const proof = await signGatewayProof({ subject: 'test-admin', scopes: PROFILES.admin.scopes, ttlSec: 3600 }, proofKey);

const targets = await databaseTargets();

interface GraphQLResponse {
  data?: { _entities: Array<Record<string, unknown> | null> } | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

async function entities(url: string, query: string, representations: unknown[]): Promise<GraphQLResponse> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_PROOF_HEADER]: proof },
    body: JSON.stringify({ query, variables: { representations } }),
  });
  return (await response.json()) as GraphQLResponse;
}

const customer360 = /* GraphQL */ `
  query ($representations: [_Any!]!) {
    _entities(representations: $representations) {
      ... on Customer {
        id
        orders(last: 3) {
          number date state total currency
          lines { description quantity unitPrice subtotal product { sku listPrice stock { onHand reserved available } } }
        }
        invoices { number }
        overdueInvoices { number dueDate amountDue paymentState overdue }
        openBalance
        creditLimit
      }
    }
  }
`;

const customer = (id: string, erpPartnerIds: string[]) => ({ __typename: 'Customer', id, erpPartnerIds });
const acme = customer('m-acme', ['1', '2']);
const bolt = customer('m-bolt', ['4']);
const bulk = (n: number) => Array.from({ length: n }, (_, i) => customer(`m-bulk-${i + 1}`, [String(101 + i)]));

/** What the ERP received, as `operation → statements`. */
function countByOperation(events: SourceRequestEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.operation] = (counts[event.operation] ?? 0) + 1;
  return counts;
}

const oneStatementPerEntityType = {
  'orders.byPartner': 1,
  'orderLines.byOrder': 1,
  'products.bySku': 1,
  'stock.bySku': 1,
  'invoices.byPartner': 1,
  'partners.byId': 1,
};

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `postgres://postgres@127.0.0.1:${port}/postgres?sslmode=disable`;
}

describe('loadErpSubgraphConfig', () => {
  it('defaults to port 4001 and the sandbox schema, and prefers ERP_DATABASE_URL over DATABASE_URL', () => {
    expect(loadErpSubgraphConfig({ DATABASE_URL: 'postgres://a/b' })).toMatchObject({
      port: 4001,
      host: '127.0.0.1',
      schema: 'erp',
      databaseUrl: 'postgres://a/b',
      production: false,
      namedStatements: true,
    });
    expect(loadErpSubgraphConfig({ ERP_NAMED_STATEMENTS: 'false' }).namedStatements).toBe(false);
    expect(() => loadErpSubgraphConfig({ ERP_NAMED_STATEMENTS: 'sometimes' })).toThrow(/ERP_NAMED_STATEMENTS/);
    expect(loadErpSubgraphConfig({ DATABASE_URL: 'postgres://a/b', ERP_DATABASE_URL: 'postgres://odoo/odoo' }).databaseUrl).toBe(
      'postgres://odoo/odoo',
    );
  });

  it('refuses a schema name that is not an SQL identifier, naming the variable', () => {
    expect(() => loadErpSubgraphConfig({ ERP_SCHEMA: 'public; drop table x' })).toThrow(/ERP_SCHEMA/);
  });
});

for (const target of targets) {
  describe.skipIf(target.unavailable !== undefined)(`ERP subgraph on ${target.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let subgraph: RunningSubgraph;
    let events: SourceRequestEvent[] = [];

    beforeAll(async () => {
      database = await target.create();
      pool = createPool({ connectionString: database.url, max: 2 });
      await installErpFixture(pool);
      subgraph = await startErpSubgraph({
        ...loadErpSubgraphConfig({}),
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

    it('answers orders, lines, products, invoices and credit for 2 customers over 3 partners with one statement per entity type', async () => {
      events = [];
      const answer = await entities(subgraph.url, customer360, [acme, bolt]);
      expect(answer.errors).toBeUndefined();
      expect(countByOperation(events)).toEqual(oneStatementPerEntityType);

      const [acmeAnswer, boltAnswer] = answer.data!._entities as Array<Record<string, any>>;
      // last 3 over the union of partners 1 and 2 and partner 1's contact, newest first
      expect(acmeAnswer.orders.map((o: { number: string }) => o.number)).toEqual(['S00005', 'S00004', 'S00003']);
      expect(acmeAnswer.orders[0]).toMatchObject({ date: '2026-01-05T10:00:00Z', state: 'sale', total: 500, currency: 'EUR' });
      expect(acmeAnswer.orders[0].lines).toEqual([
        {
          description: 'Steel bolt M8',
          quantity: 4,
          unitPrice: 0.25,
          subtotal: 1,
          product: { sku: 'BOLT-M8', listPrice: 0.25, stock: { onHand: 15, reserved: 2, available: 13 } },
        },
        {
          description: 'Washer 8 mm',
          quantity: 10,
          unitPrice: 0.05,
          subtotal: 0.5,
          product: { sku: 'WASH-8', listPrice: 0.05, stock: { onHand: 0, reserved: 0, available: 0 } },
        },
        { description: 'Deliver to the back door', quantity: 0, unitPrice: 0, subtotal: 0, product: null },
      ]);
      expect(boltAnswer.orders.map((o: { number: string }) => o.number)).toEqual(['S00006']);
    });

    it('lists posted customer invoices and finds the overdue ones: amount due and due date before today', async () => {
      const answer = await entities(subgraph.url, customer360, [acme, bolt]);
      const [acmeAnswer, boltAnswer] = answer.data!._entities as Array<Record<string, any>>;
      expect(acmeAnswer.invoices.map((i: { number: string }) => i.number)).toEqual([
        'INV/2026/00002',
        'INV/2026/00001',
        'INV/2026/00005',
        'INV/2026/00003',
      ]);
      expect(acmeAnswer.overdueInvoices).toEqual([
        expect.objectContaining({ number: 'INV/2026/00001', amountDue: 50, paymentState: 'partial', overdue: true }),
        expect.objectContaining({ number: 'INV/2026/00005', amountDue: 20, paymentState: 'not_paid', overdue: true }),
      ]);
      expect(acmeAnswer.openBalance).toBe(100);
      expect(acmeAnswer.creditLimit).toBe(5000);
      // due today is not overdue yet
      expect(boltAnswer.overdueInvoices).toEqual([]);
      expect(boltAnswer.openBalance).toBe(60);
      expect(boltAnswer.creditLimit).toBeNull();
    });

    it('keeps one statement per entity type when the customers grow from 2 to 20', async () => {
      events = [];
      const few = await entities(subgraph.url, customer360, bulk(2));
      const fewCounts = countByOperation(events);
      events = [];
      const many = await entities(subgraph.url, customer360, bulk(20));
      const manyCounts = countByOperation(events);

      expect(few.errors).toBeUndefined();
      expect(many.errors).toBeUndefined();
      expect(many.data!._entities).toHaveLength(20);
      expect((many.data!._entities[19] as any).orders).toHaveLength(2);
      expect((many.data!._entities[19] as any).overdueInvoices).toHaveLength(1);
      expect(fewCounts).toEqual(oneStatementPerEntityType);
      expect(manyCounts).toEqual(oneStatementPerEntityType);
      // the keys grew, the statements did not
      expect(events.find((e) => e.operation === 'orders.byPartner')?.size).toBe(20);
      expect(events.find((e) => e.operation === 'orderLines.byOrder')?.size).toBe(40);
    });

    it('resolves Product references by SKU: stock over internal locations only, null for an unknown SKU', async () => {
      const answer = await entities(
        subgraph.url,
        `query ($representations: [_Any!]!) { _entities(representations: $representations) {
           ... on Product { sku listPrice stock { onHand reserved available } } } }`,
        [
          { __typename: 'Product', sku: 'BOLT-M8' },
          { __typename: 'Product', sku: 'WASH-8' },
          { __typename: 'Product', sku: 'NO-SUCH-SKU' },
        ],
      );
      expect(answer.errors).toBeUndefined();
      expect(answer.data!._entities).toEqual([
        { sku: 'BOLT-M8', listPrice: 0.25, stock: { onHand: 15, reserved: 2, available: 13 } },
        { sku: 'WASH-8', listPrice: 0.05, stock: { onHand: 0, reserved: 0, available: 0 } },
        { sku: 'NO-SUCH-SKU', listPrice: null, stock: null },
      ]);
    });

    it('prepares its statements once per connection by name, and sends them unnamed when told to (PgBouncer)', async () => {
      const single = createPool({ connectionString: database.url, max: 1 });
      try {
        const { added } = await watchPreparedStatements(single, 'erp.');
        const unnamed = createErpDatabase(single, 'erp', { namedStatements: false });
        const unnamedOrders = await unnamed.ordersByPartner([{ partnerId: 1, last: 3 }]);
        expect(unnamedOrders.length).toBeGreaterThan(0);
        expect(await added()).toEqual([]);

        const named = createErpDatabase(single, 'erp');
        for (let run = 0; run < 2; run++) {
          expect(await named.ordersByPartner([{ partnerId: 1, last: 3 }])).toEqual(unnamedOrders);
          expect(await named.invoicesByPartner([1, 2])).toEqual(await unnamed.invoicesByPartner([1, 2]));
        }
        // Each parsed once, however often it ran.
        expect(await added()).toEqual(['erp.invoices.byPartner', 'erp.orders.byPartner']);
      } finally {
        await single.end();
      }
    });

    it('answers a customer the ERP does not know with empty lists and no error', async () => {
      const answer = await entities(subgraph.url, customer360, [customer('m-unknown', ['999999']), customer('m-crm-only', [])]);
      expect(answer.errors).toBeUndefined();
      expect(answer.data!._entities).toEqual([
        { id: 'm-unknown', orders: [], invoices: [], overdueInvoices: [], openBalance: 0, creditLimit: null },
        { id: 'm-crm-only', orders: [], invoices: [], overdueInvoices: [], openBalance: null, creditLimit: null },
      ]);
    });

    it('refuses orders(last:) outside 0..100 with BAD_USER_INPUT', async () => {
      const answer = await entities(
        subgraph.url,
        `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id orders(last: 101) { number } } } }`,
        [acme],
      );
      expect(answer.errors?.[0]).toMatchObject({ path: ['_entities', 0, 'orders'], extensions: { code: 'BAD_USER_INPUT' } });
    });

    it('answers ERP_UNAVAILABLE at once, without a statement, when the gateway says the budget is spent', async () => {
      events = [];
      const response = await fetch(subgraph.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [GATEWAY_PROOF_HEADER]: proof, 'x-concord-budget-ms': '0' },
        body: JSON.stringify({ query: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { id orders(last: 2) { number } } } }`, variables: { representations: [acme] } }),
      });
      const answer = (await response.json()) as GraphQLResponse;
      expect(answer.errors?.[0]).toMatchObject({ path: ['_entities', 0, 'orders'], extensions: { code: 'ERP_UNAVAILABLE', reason: 'DEADLINE_EXCEEDED' } });
    });

    it('answers /health and /ready with the database, and /metrics with its request and SQL counts', async () => {
      expect((await fetch(subgraph.url.replace('/graphql', '/health'))).status).toBe(200);
      const ready = await fetch(subgraph.url.replace('/graphql', '/ready'));
      expect(ready.status).toBe(200);
      expect(await ready.json()).toEqual({ status: 'ready', subgraph: 'erp' });
      const metrics = await (await fetch(subgraph.url.replace('/graphql', '/metrics'))).text();
      expect(metrics).toMatch(/concord_requests_total\{outcome="ok",service="subgraph-erp"\} [1-9]/);
      expect(metrics).toMatch(/concord_source_calls_total\{source="erp",outcome="ok",service="subgraph-erp"\} [1-9]/);
      expect(metrics).toMatch(/concord_source_breaker_state\{source="erp",service="subgraph-erp"\} 0/);
      expect(metrics).toMatch(/concord_db_pool_connections\{pool="erp",state="total",service="subgraph-erp"\} \d/);
    });
  });
}

describe('ERP subgraph with its database down', () => {
  let subgraph: RunningSubgraph;

  beforeAll(async () => {
    subgraph = await startErpSubgraph({ ...loadErpSubgraphConfig({}), port: 0, databaseUrl: await closedPortUrl(), gatewayProof: proofKey });
  });
  afterAll(async () => {
    await subgraph?.close();
  });

  it('nulls only the ERP fields, each with ERP_UNAVAILABLE and its path', async () => {
    const answer = await entities(
      subgraph.url,
      `query ($representations: [_Any!]!) { _entities(representations: $representations) {
         ... on Customer { id orders(last: 2) { number } openBalance } } }`,
      [acme],
    );
    expect(answer.data!._entities).toEqual([{ id: 'm-acme', orders: null, openBalance: null }]);
    // errors come in the order the reads failed, not in field order
    expect(answer.errors).toHaveLength(2);
    expect(answer.errors?.map((e) => ({ path: e.path, code: e.extensions?.code, source: e.extensions?.source }))).toEqual(expect.arrayContaining([
      { path: ['_entities', 0, 'orders'], code: 'ERP_UNAVAILABLE', source: 'erp' },
      { path: ['_entities', 0, 'openBalance'], code: 'ERP_UNAVAILABLE', source: 'erp' },
    ]));
  });

  it('stays live on /health (no database call) and reports not ready on /ready, fast', async () => {
    expect((await fetch(subgraph.url.replace('/graphql', '/health'))).status).toBe(200);
    const started = performance.now();
    const ready = await fetch(subgraph.url.replace('/graphql', '/ready'));
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: 'unavailable', subgraph: 'erp' });
    expect(performance.now() - started).toBeLessThan(1_500);
  });
});
