import type pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startCrmSandbox, type CrmSandbox } from '../../sandbox/crm/server.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';
import { createPool, type RunningSubgraph, type SourceRequestEvent } from '../../platform/index.js';
import { createHubSpotClient } from './hubspotClient.js';
import { CrmInputError } from './searchInput.js';
import { startCrmSubgraph, type CrmSubgraphOptions } from './server.js';
import { generateGatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../../platform/auth/index.js';
import { PROFILES } from '../../gateway/authorization/scopeMatrix.js';

/*
 * The CRM subgraph against the real CRM stand-in (HubSpot's contract) on
 * PGlite, queried over HTTP the way the gateway queries it: `_entities` with
 * Customer representations carrying `crmCompanyIds`.
 */

// Subgraphs answer only the gateway (ADR 0003): these tests call them as the gateway would, for an admin.
const proofKey = generateGatewayProofSecret();
const proof = await signGatewayProof({ subject: 'test-admin', scopes: PROFILES.admin.scopes, ttlSec: 3600 }, proofKey);

const TOKEN = 't';

let embedded: EmbeddedPostgres;
let pool: pg.Pool;
let sandbox: CrmSandbox;
let subgraph: RunningSubgraph;
const sourceRequests: SourceRequestEvent[] = [];
const cleanups: Array<() => Promise<void>> = [];

// --- fixtures: companies 1001–1004 under customers A, B (two companies), C ---
type Props = Record<string, string>;
const objects: Array<[type: string, id: number, properties: Props]> = [
  ['companies', 1001, { name: 'Acme' }],
  ['companies', 1002, { name: 'Globex' }],
  ['companies', 1003, { name: 'Globex GmbH' }],
  ['companies', 1004, { name: 'Initech' }],
  ['contacts', 2001, { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@acme.test', phone: '+44 20 1234', jobtitle: 'CTO' }],
  ['contacts', 2002, { firstname: 'Grace', lastname: 'Hopper', email: 'grace@globex.test' }],
  ['contacts', 2003, { firstname: 'Alan', lastname: 'Turing' }],
  ['contacts', 2004, { firstname: 'Edsger', lastname: 'Dijkstra' }],
  ['contacts', 2005, { firstname: 'Barbara', lastname: 'Liskov' }],
  ['deals', 3001, { dealname: 'Acme renewal', dealstage: 'appointmentscheduled', pipeline: 'default', amount: '1200.50', closedate: '2026-12-01T00:00:00.000Z', hs_is_closed: 'false' }],
  ['deals', 3002, { dealname: 'Acme pilot', dealstage: 'closedwon', pipeline: 'default', amount: '500', closedate: '2026-01-01T00:00:00.000Z', hs_is_closed: 'true' }],
  ['deals', 3003, { dealname: 'Globex expansion', dealstage: 'qualifiedtobuy', pipeline: 'default', amount: '9000' }],
  ['deals', 3004, { dealname: 'Initech lost', dealstage: 'closedlost', pipeline: 'default' }],
  ['line_items', 5001, { name: 'Widget', quantity: '3', price: '100' }],
  ['line_items', 5002, { name: 'Support plan', quantity: '1', price: '900.5' }],
  ['line_items', 5003, { name: 'Gadget', quantity: '10', price: '900' }],
  ['tickets', 4001, { subject: 'Login fails', hs_ticket_priority: 'HIGH', hs_pipeline: '0', hs_pipeline_stage: '1' }],
  ['tickets', 4002, { subject: 'Old invoice question', hs_ticket_priority: 'LOW', hs_pipeline: '0', hs_pipeline_stage: '4' }],
  ['tickets', 4003, { subject: 'Export is slow', hs_ticket_priority: 'MEDIUM', hs_pipeline: '0', hs_pipeline_stage: '2' }],
];
const associations: Array<[fromType: string, fromId: number, toType: string, toId: number]> = [
  ['companies', 1001, 'contacts', 2001],
  ['companies', 1002, 'contacts', 2002],
  ['companies', 1003, 'contacts', 2003],
  ['companies', 1002, 'contacts', 2005], // Liskov under both Globex companies: listed once
  ['companies', 1003, 'contacts', 2005],
  ['companies', 1004, 'contacts', 2004],
  ['companies', 1001, 'deals', 3001],
  ['companies', 1001, 'deals', 3002],
  ['companies', 1002, 'deals', 3003],
  ['companies', 1004, 'deals', 3004],
  ['deals', 3001, 'line_items', 5001],
  ['deals', 3001, 'line_items', 5002],
  ['deals', 3003, 'line_items', 5003],
  ['companies', 1001, 'tickets', 4001],
  ['companies', 1001, 'tickets', 4002],
  ['companies', 1003, 'tickets', 4003],
];
const customerA = { __typename: 'Customer', id: 'cus-a', crmCompanyIds: ['1001'] };
const customerB = { __typename: 'Customer', id: 'cus-b', crmCompanyIds: ['1002', '1003'] };
const customerC = { __typename: 'Customer', id: 'cus-c', crmCompanyIds: ['1004'] };
const customerWithoutCrm = { __typename: 'Customer', id: 'cus-none', crmCompanyIds: [] };

/** `count` companies from `firstCompany`, each with `contactsEach` contacts, one open deal and one open ticket. */
async function insertCompanies(firstCompany: number, count: number, contactsEach: number, firstContact: number): Promise<void> {
  await pool.query(
    `INSERT INTO crm.objects (object_type, id, properties)
     SELECT 'companies', c, jsonb_build_object('name', 'Company ' || c) FROM generate_series($1::bigint, $1::bigint + $2 - 1) c
     UNION ALL
     SELECT 'contacts', $4::bigint + (c - $1) * $3 + k, jsonb_build_object('firstname', 'Person', 'lastname', (k)::text)
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) c, generate_series(0, $3 - 1) k
     UNION ALL
     SELECT 'deals', c + 500000, jsonb_build_object('dealname', 'Deal ' || c, 'dealstage', 'qualifiedtobuy')
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) c
     UNION ALL
     SELECT 'tickets', c + 600000, jsonb_build_object('subject', 'Ticket ' || c, 'hs_pipeline_stage', '1')
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) c`,
    [firstCompany, count, contactsEach, firstContact],
  );
  await pool.query(
    `INSERT INTO crm.associations (from_type, from_id, to_type, to_id, type_id)
     SELECT 'companies', c, 'contacts', $4::bigint + (c - $1) * $3 + k, 280
       FROM generate_series($1::bigint, $1::bigint + $2 - 1) c, generate_series(0, $3 - 1) k
     UNION ALL SELECT 'companies', c, 'deals', c + 500000, 342 FROM generate_series($1::bigint, $1::bigint + $2 - 1) c
     UNION ALL SELECT 'companies', c, 'tickets', c + 600000, 340 FROM generate_series($1::bigint, $1::bigint + $2 - 1) c`,
    [firstCompany, count, contactsEach, firstContact],
  );
}

async function startSubgraphAgainst(crmUrl: string, options: Partial<CrmSubgraphOptions> = {}): Promise<RunningSubgraph> {
  const started = await startCrmSubgraph({ port: 0, host: '127.0.0.1', baseUrl: crmUrl, token: TOKEN, retryInitialDelayMs: 10, gatewayProof: proofKey, ...options });
  cleanups.push(() => started.close());
  return started;
}

async function startExtraSandbox(options: { rateLimit?: { requests: number; perMs: number } } = {}): Promise<CrmSandbox> {
  const started = await startCrmSandbox({ databaseUrl: embedded.connectionString, port: 0, tokens: [TOKEN], rateLimit: options.rateLimit });
  let closed = false;
  cleanups.push(async () => { if (!closed) await started.close(); });
  return { ...started, close: async () => { closed = true; await started.close(); } };
}

interface GraphQLAnswer {
  data?: { _entities: Array<Record<string, unknown> | null> } | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, unknown> }>;
}

async function entities(url: string, representations: unknown[], selection: string): Promise<GraphQLAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [GATEWAY_PROOF_HEADER]: proof },
    body: JSON.stringify({
      query: `query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Customer { ${selection} } } }`,
      variables: { representations },
    }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as GraphQLAnswer;
}

const FULL_SELECTION = `id
  contacts { id name firstName lastName email phone jobTitle }
  deals(open: true) { id name stage pipeline amount closeDate isClosed lineItems { id name quantity price } }
  tickets(open: true) { id subject priority stage isClosed }`;

/** The sandbox's request log as "path × inputs" lines, sorted: what the CRM received. */
function received(crm: CrmSandbox): string[] {
  return crm.requests.map((r) => `${r.method} ${r.path} ${r.inputs ?? '-'} ${r.status}`).sort();
}

beforeAll(async () => {
  embedded = await startEmbeddedPostgres();
  sandbox = await startCrmSandbox({ databaseUrl: embedded.connectionString, port: 0, tokens: [TOKEN] });
  pool = createPool({ connectionString: embedded.connectionString, max: 2 });
  for (const [type, id, properties] of objects) {
    await pool.query('INSERT INTO crm.objects (object_type, id, properties) VALUES ($1, $2, $3)', [type, id, JSON.stringify(properties)]);
  }
  for (const [fromType, fromId, toType, toId] of associations) {
    await pool.query('INSERT INTO crm.associations (from_type, from_id, to_type, to_id, type_id) VALUES ($1, $2, $3, $4, 1)', [fromType, fromId, toType, toId]);
  }
  await insertCompanies(7001, 20, 2, 70001); // 20 small customers for the batching counts
  await insertCompanies(8001, 1, 250, 80001); // one company with 250 contacts
  await insertCompanies(9001, 1, 101, 90001); // one company with 101 contacts
  subgraph = await startCrmSubgraph({
    port: 0, host: '127.0.0.1', baseUrl: sandbox.url, token: TOKEN, gatewayProof: proofKey,
    onSourceRequest: (event) => sourceRequests.push(event),
  });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  await subgraph?.close();
  await sandbox?.close();
  await pool?.end();
  await embedded?.stop();
});

beforeEach(() => {
  sandbox?.resetRequestLog();
  sourceRequests.length = 0;
});

describe('CRM subgraph over the HubSpot stand-in', () => {
  it('answers contacts, open deals with line items and open tickets for three customers', async () => {
    const answer = await entities(subgraph.url, [customerA, customerB, customerC], FULL_SELECTION);
    expect(answer.errors).toBeUndefined();
    const [a, b, c] = answer.data!._entities;
    expect(a).toEqual({
      id: 'cus-a',
      contacts: [{ id: '2001', name: 'Ada Lovelace', firstName: 'Ada', lastName: 'Lovelace', email: 'ada@acme.test', phone: '+44 20 1234', jobTitle: 'CTO' }],
      deals: [{
        id: '3001', name: 'Acme renewal', stage: 'appointmentscheduled', pipeline: 'default', amount: 1200.5,
        closeDate: '2026-12-01T00:00:00.000Z', isClosed: false,
        lineItems: [{ id: '5001', name: 'Widget', quantity: 3, price: 100 }, { id: '5002', name: 'Support plan', quantity: 1, price: 900.5 }],
      }],
      tickets: [{ id: '4001', subject: 'Login fails', priority: 'HIGH', stage: '1', isClosed: false }],
    });
    // Two companies read as one customer: contacts of both, Liskov (under both) once, by last name.
    expect((b!.contacts as Array<{ name: string }>).map((x) => x.name)).toEqual(['Grace Hopper', 'Barbara Liskov', 'Alan Turing']);
    expect((b!.deals as Array<{ id: string; isClosed: boolean }>).map((d) => [d.id, d.isClosed])).toEqual([['3003', false]]);
    expect((b!.tickets as Array<{ id: string }>).map((t) => t.id)).toEqual(['4003']);
    // A closedlost deal without hs_is_closed counts as closed.
    expect(c).toMatchObject({ contacts: [{ name: 'Edsger Dijkstra' }], deals: [], tickets: [] });
  });

  it('filters deals and tickets by open: false, and returns all without the argument', async () => {
    const answer = await entities(subgraph.url, [customerA], 'closed: deals(open: false) { id } all: deals { id } closedTickets: tickets(open: false) { id isClosed }');
    expect(answer.errors).toBeUndefined();
    expect(answer.data!._entities[0]).toEqual({
      closed: [{ id: '3002' }],
      all: [{ id: '3001' }, { id: '3002' }],
      closedTickets: [{ id: '4002', isClosed: true }],
    });
  });

  it('answers [] without calling the CRM for a customer with no CRM company', async () => {
    const answer = await entities(subgraph.url, [customerWithoutCrm], FULL_SELECTION);
    expect(answer.data!._entities[0]).toEqual({ id: 'cus-none', contacts: [], deals: [], tickets: [] });
    expect(sandbox.requests).toEqual([]);
  });

  it('asks the CRM once per entity type per plan level: the three customers cost what one costs', async () => {
    await entities(subgraph.url, [customerA, customerB, customerC], FULL_SELECTION);
    expect(received(sandbox)).toEqual([
      'POST /crm/v3/objects/contacts/batch/read 5 200',
      'POST /crm/v3/objects/deals/batch/read 4 200', // open or not: the filter applies after the read
      'POST /crm/v3/objects/line_items/batch/read 3 200',
      'POST /crm/v3/objects/tickets/batch/read 3 200',
      'POST /crm/v4/associations/companies/contacts/batch/read 4 200',
      'POST /crm/v4/associations/companies/deals/batch/read 4 207', // 1003 has no deal: HubSpot's 207
      'POST /crm/v4/associations/companies/tickets/batch/read 4 207',
      'POST /crm/v4/associations/deals/line_items/batch/read 2 200', // the two open deals, 3001 and 3003
    ].map((line) => line.replace(/ \/\/.*$/, '')));
  });

  it('keeps the number of CRM requests flat from 2 to 20 customers', async () => {
    const customers = Array.from({ length: 20 }, (_, i) => ({ __typename: 'Customer', id: `cus-${i}`, crmCompanyIds: [String(7001 + i)] }));
    const selection = 'contacts { id } deals(open: true) { id lineItems { id } } tickets(open: true) { id }';
    const countFor = async (n: number) => {
      sandbox.resetRequestLog();
      sourceRequests.length = 0;
      const answer = await entities(subgraph.url, customers.slice(0, n), selection);
      expect(answer.errors).toBeUndefined();
      expect(answer.data!._entities.every((e) => (e!.contacts as unknown[]).length === 2)).toBe(true);
      return { http: sandbox.requests.length, events: sourceRequests.length, paths: sandbox.requests.map((r) => r.path).sort() };
    };
    const two = await countFor(2);
    const twenty = await countFor(20);
    expect(twenty).toEqual(two);
    // Associations and records for contacts, deals and tickets (6), plus the deals' line-item associations
    // (1; these deals have none, so no line-item records are read).
    expect(two.http).toBe(7);
    expect(two.events).toBe(7);
  });

  it('reads 250 associated contacts in 3 batch-read chunks of at most 100, and 101 in 2', async () => {
    const many = await entities(subgraph.url, [{ __typename: 'Customer', id: 'big', crmCompanyIds: ['8001'] }], 'contacts { id }');
    expect(many.data!._entities[0]!.contacts).toHaveLength(250);
    const chunks = (crm: CrmSandbox) => crm.requests.filter((r) => r.path === '/crm/v3/objects/contacts/batch/read').map((r) => r.inputs).sort((x, y) => y! - x!);
    expect(chunks(sandbox)).toEqual([100, 100, 50]);
    expect(sourceRequests.filter((e) => e.operation === 'POST /crm/v3/objects/contacts/batch/read').map((e) => e.size).sort((x, y) => y - x)).toEqual([100, 100, 50]);

    sandbox.resetRequestLog();
    const edge = await entities(subgraph.url, [{ __typename: 'Customer', id: 'edge', crmCompanyIds: ['9001'] }], 'contacts { id }');
    expect(edge.data!._entities[0]!.contacts).toHaveLength(101);
    expect(chunks(sandbox)).toEqual([100, 1]);
  });

  it('answers CRM_UNAVAILABLE with the path when the CRM is down, and the rest of the answer still comes', async () => {
    const doomed = await startExtraSandbox();
    const crm = await startSubgraphAgainst(doomed.url);
    await doomed.close();
    const answer = await entities(crm.url, [customerA, customerWithoutCrm], 'id contacts { id } deals(open: true) { id } tickets { id }');
    expect(answer.data!._entities).toEqual([
      { id: 'cus-a', contacts: null, deals: null, tickets: null },
      { id: 'cus-none', contacts: [], deals: [], tickets: [] },
    ]);
    const errors = answer.errors!.map((e) => ({ path: e.path, code: e.extensions!.code, source: e.extensions!.source }));
    expect(errors).toEqual(expect.arrayContaining([
      { path: ['_entities', 0, 'contacts'], code: 'CRM_UNAVAILABLE', source: 'crm' },
      { path: ['_entities', 0, 'deals'], code: 'CRM_UNAVAILABLE', source: 'crm' },
      { path: ['_entities', 0, 'tickets'], code: 'CRM_UNAVAILABLE', source: 'crm' },
    ]));
    expect(answer.errors).toHaveLength(3);
    expect(answer.errors![0].message).toMatch(/^CRM is unavailable: /);
    expect(JSON.stringify(answer.errors)).not.toContain(doomed.url.replace('http://', ''));
  });

  it('waits out the CRM\'s 429 Retry-After and then answers', async () => {
    const limited = await startExtraSandbox({ rateLimit: { requests: 1, perMs: 1_000 } });
    const crm = await startSubgraphAgainst(limited.url);
    const started = Date.now();
    const answer = await entities(crm.url, [customerA], 'contacts { name }');
    expect(answer.errors).toBeUndefined();
    expect(answer.data!._entities[0]).toEqual({ contacts: [{ name: 'Ada Lovelace' }] });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(limited.requests.map((r) => `${r.path} ${r.status}`)).toEqual([
      '/crm/v4/associations/companies/contacts/batch/read 200',
      '/crm/v3/objects/contacts/batch/read 429',
      '/crm/v3/objects/contacts/batch/read 200',
    ]);
  });

  it('answers CRM_RATE_LIMITED with retryAfter when the CRM asks for a longer wait than allowed', async () => {
    const limited = await startExtraSandbox({ rateLimit: { requests: 1, perMs: 10_000 } });
    const crm = await startSubgraphAgainst(limited.url, { maxRetryAfterMs: 500 });
    const answer = await entities(crm.url, [customerA], 'id contacts { name }');
    expect(answer.data!._entities[0]).toEqual({ id: 'cus-a', contacts: null });
    expect(answer.errors).toEqual([
      expect.objectContaining({
        path: ['_entities', 0, 'contacts'],
        message: expect.stringMatching(/^CRM rate limit reached: retry after (9|10) s$/),
        extensions: expect.objectContaining({ code: 'CRM_RATE_LIMITED', source: 'crm', retryAfter: expect.any(Number) }),
      }),
    ]);
  });

  it('answers CRM_UNAUTHENTICATED, pointing at CRM_TOKEN, when the CRM refuses the token; health says so too', async () => {
    const crm = await startSubgraphAgainst(sandbox.url, { token: 'wrong' });
    const answer = await entities(crm.url, [customerA], 'contacts { name }');
    expect(answer.data!._entities[0]).toEqual({ contacts: null });
    expect(answer.errors).toHaveLength(1);
    expect(answer.errors![0]).toMatchObject({ path: ['_entities', 0, 'contacts'], extensions: { code: 'CRM_UNAUTHENTICATED', source: 'crm' } });
    expect(answer.errors![0].message).toContain('CRM_TOKEN');
    // HubSpot's own 401 body stays out of the client's answer.
    expect(JSON.stringify(answer)).not.toMatch(/Authentication credentials|correlationId|INVALID_AUTHENTICATION/);
    expect(sandbox.requests).toHaveLength(1); // a 401 is not retried

    const health = await fetch(crm.url.replace(/\/graphql$/, '/ready'));
    expect(health.status).toBe(503);
    // Liveness asks no source: a wrong token is not a reason to restart the process.
    expect((await fetch(crm.url.replace(/\/graphql$/, '/health'))).status).toBe(200);
    const healthy = await fetch(subgraph.url.replace(/\/graphql$/, '/ready'));
    expect(healthy.status).toBe(200);
  });
});

describe('HubSpot client over the stand-in', () => {
  it('chunks association reads beyond HubSpot\'s 1000 inputs', async () => {
    const client = createHubSpotClient({ baseUrl: sandbox.url, token: TOKEN });
    cleanups.push(() => client.close());
    // The 20 small companies with contacts, then 981 ids the CRM does not know.
    const ids = Array.from({ length: 1001 }, (_, i) => String(i < 20 ? 7001 + i : 100_000 + i));
    const found = await client.associations('companies', 'contacts', ids);
    expect(found.size).toBe(20);
    expect(found.get('7001')).toEqual(['70001', '70002']);
    expect(sandbox.requests.map((r) => r.inputs).sort((x, y) => y! - x!)).toEqual([1000, 1]);
  });

  it('searches with a validated input and refuses a bad one before calling', async () => {
    const client = createHubSpotClient({ baseUrl: sandbox.url, token: TOKEN });
    cleanups.push(() => client.close());
    const page = await client.search('contacts', {
      filterGroups: [{ filters: [{ propertyName: 'lastname', operator: 'EQ', value: 'Lovelace' }] }],
      properties: ['firstname', 'lastname'],
      limit: 5,
    });
    expect(page.results.map((r) => r.properties.firstname)).toEqual(['Ada']);
    await expect(client.search('contacts', { limit: 500 })).rejects.toThrow(CrmInputError);
    await expect(
      client.search('contacts', { filterGroups: [{ filters: [{ propertyName: 'x', operator: 'LIKE' as 'EQ', value: 'y' }] }] }),
    ).rejects.toThrow(/filterGroups\[0\]\.filters\[0\]\.operator: expected one of EQ/);
    expect(sandbox.requests).toHaveLength(1);
  });
});
