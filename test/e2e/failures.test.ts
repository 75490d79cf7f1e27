import { readFileSync } from 'node:fs';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { showcaseMasterId } from './groundTruth.js';

const customer360 = readFileSync(new URL('./customer360.graphql', import.meta.url), 'utf8');

describe('bad input and a source that is down (embedded PGlite)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ companies: 60 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('answers a malformed query with GRAPHQL_PARSE_FAILED and HTTP 400', async () => {
    const { status, body } = await postGraphQL(stack.gatewayUrl, 'query { customer(id: "x") { id ', {}, stack.headersFor('demo-admin'));
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
  });

  it('answers variables of the wrong type with BAD_USER_INPUT', async () => {
    const { status, body } = await postGraphQL(stack.gatewayUrl, customer360, { id: { not: 'an id' } }, stack.headersFor('demo-admin'));
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('BAD_USER_INPUT');
  });

  it('answers a CRM batch read of 101 inputs with HubSpot\'s 400 error shape', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ id: String(10_000_001 + i) }));
    const response = await request(`${stack.urls.crmSandbox}/crm/v3/objects/companies/batch/read`, {
      method: 'POST',
      headers: { authorization: 'Bearer pat-concord-sandbox', 'content-type': 'application/json' },
      body: JSON.stringify({ properties: ['name'], inputs }),
    });
    const body = (await response.body.json()) as Record<string, unknown>;
    expect(response.statusCode).toBe(400);
    expect(body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
    expect(body.message).toEqual(expect.any(String));
    expect(body.correlationId).toEqual(expect.any(String));
  });

  // Last: it stops the CRM stand-in for the rest of this suite.
  it('when the CRM is down, still returns the ERP and MDM data, with an error naming the CRM at each CRM field', async () => {
    const id = await showcaseMasterId(stack.pool);
    await stack.stopCrmSandbox();
    const { status, body } = await postGraphQL(stack.gatewayUrl, customer360, { id }, stack.headersFor('demo-admin'));
    expect(status).toBe(200);
    const customer = body.data.customer;
    expect(customer.id).toBe(id);
    expect(customer.name).toMatch(/globex/i);
    expect(customer.orders.length).toBe(5);
    expect(customer.overdueInvoices.length).toBeGreaterThanOrEqual(1);
    expect(customer.contacts).toBeNull();
    expect(customer.deals).toBeNull();
    expect(customer.tickets).toBeNull();
    const paths = (body.errors ?? []).map((e) => e.path?.join('.')).sort();
    expect(paths).toEqual(['customer.contacts', 'customer.deals', 'customer.tickets']);
    for (const error of body.errors ?? []) {
      expect(error.extensions?.code).toBe('CRM_UNAVAILABLE');
    }
  });
});
