import { Readable } from 'node:stream';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../server.js';
import { CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from '../supergraph/fixtures.js';

describe('the gateway HTTP surface', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  async function post(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }) {
    const response = await fetch(gateway.url, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }

  async function get(params: Record<string, string>) {
    const response = await fetch(`${gateway.url}?${new URLSearchParams(params)}`, { headers: { accept: 'application/json' } });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({ port: 0, subgraphs: [mdm, crm], production: false, maxBodyBytes: 2_000, logLevel: 'silent' });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
  });

  it('answers a malformed query with 400 GRAPHQL_PARSE_FAILED and its location', async () => {
    const { status, body } = await post({ query: '{ customer(id: "1") { name ' });
    expect(status).toBe(400);
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(body.errors[0].message).toMatch(/^Syntax Error/);
    expect(body.errors[0].locations).toEqual([{ line: 1, column: 28 }]);
    expect(body.data).toBeUndefined();
  });

  it('answers an unknown field with 400 GRAPHQL_VALIDATION_FAILED, suggesting the field in development', async () => {
    const { status, body } = await post({ query: '{ customer(id: "1") { nam } }' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(body.errors[0].message).toBe('Cannot query field "nam" on type "Customer". Did you mean "name"?');
  });

  it('answers variables of the wrong type with 400 BAD_USER_INPUT', async () => {
    const { status, body } = await post({ query: 'query ($id: ID!) { customer(id: $id) { name } }', variables: { id: { not: 'an id' } } });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(body.errors[0].message).toMatch(/^Variable "\$id" got invalid value/);
  });

  it('answers a missing required variable with 400 BAD_USER_INPUT', async () => {
    const { status, body } = await post({ query: 'query ($id: ID!) { customer(id: $id) { name } }' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('answers an unknown id with null and no error', async () => {
    const { status, body } = await post({ query: '{ customer(id: "404") { name contacts { name } } }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { customer: null } });
  });

  it('refuses a body over maxBodyBytes with 413, by Content-Length', async () => {
    const { status, body } = await post({ query: `{ customers { name } } # ${'x'.repeat(3_000)}` });
    expect(status).toBe(413);
    expect(body.errors[0].extensions.code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a chunked body over maxBodyBytes with 413 as it streams', async () => {
    const chunk = JSON.stringify({ query: `{ customers { name } } # ${'y'.repeat(3_000)}` });
    const response = await request(gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Readable.from([chunk.slice(0, 1_000), chunk.slice(1_000)]),
    });
    expect(response.statusCode).toBe(413);
    expect(((await response.body.json()) as any).errors[0].extensions.code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a POST that is not JSON with 415 and says what it expected', async () => {
    const { status, body } = await post('{ customers { name } }', { 'content-type': 'text/plain' });
    expect(status).toBe(415);
    expect(body.errors[0].extensions.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(body.errors[0].message).toContain('application/json');
  });

  it('refuses a JSON body that does not parse with 400 BAD_REQUEST', async () => {
    const { status, body } = await post('{"query": ');
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('BAD_REQUEST');
    expect(body.errors[0].message).toMatch(/not valid JSON/);
  });

  it('refuses a request without a query with 400 BAD_REQUEST', async () => {
    const { status, body } = await post({ variables: {} });
    expect(status).toBe(400);
    expect(body.errors[0].message).toContain('non-empty `query`');
  });

  it('runs a query sent with GET', async () => {
    const { status, body } = await get({ query: 'query ($id: ID!) { customer(id: $id) { name } }', variables: JSON.stringify({ id: '2' }) });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { customer: { name: 'Globex SA' } } });
  });

  it('refuses a mutation sent with GET with 405 and Allow: POST', async () => {
    const { status, headers, body } = await get({ query: 'mutation { touch(id: "1") }' });
    expect(status).toBe(405);
    expect(headers.get('allow')).toBe('POST');
    expect(body.errors[0].extensions.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('runs a mutation sent with POST', async () => {
    const { status, body } = await post({ query: 'mutation { touch(id: "7") }' });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { touch: 7 } });
  });

  it('picks the operation named by operationName and refuses an unknown one', async () => {
    const query = 'query A { customer(id: "1") { name } } query B { customer(id: "2") { name } }';
    expect((await post({ query, operationName: 'B' })).body).toEqual({ data: { customer: { name: 'Globex SA' } } });
    const unknown = await post({ query, operationName: 'C' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('answers the same operation again from the cached document and plan', async () => {
    const query = '{ customers { id name contacts { name } } }';
    const first = await post({ query });
    const second = await post({ query });
    expect(second.body).toEqual(first.body);
    expect(first.body.data.customers).toHaveLength(3);
  });
});
