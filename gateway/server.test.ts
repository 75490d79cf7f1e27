import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from './server.js';
import { CONFLICTING_SDL, CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from './supergraph/fixtures.js';

async function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, headers: response.headers, body: (await response.json()) as any };
}

describe('a gateway composed from two subgraphs at start', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({ port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent' });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
  });

  it('answers a query that spans both subgraphs in one request', async () => {
    const { status, body } = await post(gateway.url, {
      query: 'query One($id: ID!) { customer(id: $id) { id name contacts { name email } } }',
      variables: { id: '1' },
    });
    expect(status).toBe(200);
    expect(body).toEqual({ data: { customer: { id: '1', name: 'Acme GmbH', contacts: [{ name: 'Contact of 1', email: 'c1@example.com' }] } } });
  });

  it('listens on 127.0.0.1 by default', () => {
    expect(new URL(gateway.url).hostname).toBe('127.0.0.1');
    expect(new URL(gateway.url).pathname).toBe('/graphql');
  });

  it('reports health with the supergraph id and load time', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/health'));
    const body = (await response.json()) as any;
    expect(response.status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.supergraph.id).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(body.supergraph.loadedAt)).not.toBeNaN();
    expect(body.supergraph.id).toBe(gateway.supergraph().id);
  });

  it('serves GraphiQL to a browser from its own origin, with a token field for the Authorization header', async () => {
    const response = await fetch(gateway.url, { headers: { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' } });
    const html = await response.text();
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(response.headers.get('content-security-policy')).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/]{24}';/);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org)/);
    const graphiqlScript = /<script src="(graphiql\/graphiql@\d+\.\d+\.\d+\/graphiql\.min\.js)" integrity="sha384-[A-Za-z0-9+/=]{64}">/.exec(html);
    expect(graphiqlScript).not.toBeNull();
    expect(html).toContain('id="concord-token"');

    const script = await fetch(new URL(graphiqlScript![1], gateway.url));
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await script.text()).toContain('window.GraphiQL');
  });

  it('exposes request and subgraph fetch metrics for Prometheus', async () => {
    await post(gateway.url, { query: '{ customer(id: "2") { name contacts { name } } }' });
    const text = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(text).toMatch(/concord_gateway_requests_total\{operation_type="query",status="200",outcome="ok"\} \d+/);
    expect(text).toMatch(/concord_gateway_subgraph_fetches_total\{subgraph="crm",outcome="ok"\} \d+/);
    expect(text).toContain('concord_gateway_request_duration_seconds_bucket');
    expect(text).toContain('concord_gateway_subgraph_fetch_duration_seconds_bucket{le="0.001",subgraph="mdm",outcome="ok"}');
  });

  it('answers 404 with a GraphQL error for unknown routes', async () => {
    const response = await fetch(gateway.url.replace('/graphql', '/nope'));
    expect(response.status).toBe(404);
    expect(((await response.json()) as any).errors[0].extensions.code).toBe('NOT_FOUND');
  });
});

describe('starting against subgraphs that do not compose', () => {
  it('fails to start and lists the composition errors', async () => {
    const mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    const other = await startTinySubgraph('billing', CONFLICTING_SDL, {});
    try {
      const started = startGateway({ port: 0, subgraphs: [mdm, other], production: false, logLevel: 'silent' });
      await expect(started).rejects.toMatchObject({ code: 'COMPOSITION_FAILED' });
      await expect(started).rejects.toThrow(/Customer\.name/);
    } finally {
      await mdm.close();
      await other.close();
    }
  });

  it('fails to start naming the subgraph whose SDL cannot be fetched', async () => {
    const started = startGateway({ port: 0, subgraphs: [{ name: 'ghost', url: 'http://127.0.0.1:9/graphql' }], production: false, logLevel: 'silent', compositionRetryMs: 300 });
    await expect(started).rejects.toMatchObject({ code: 'SUBGRAPH_SDL_UNAVAILABLE' });
    await expect(started).rejects.toThrow(/ghost/);
  });
});

describe('a gateway in production mode', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({ port: 0, subgraphs: [mdm, crm], production: true, logLevel: 'silent' });
    await crm.close();
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
  });

  it('does not suggest field names in validation errors', async () => {
    const { status, body } = await post(gateway.url, { query: '{ customer(id: "1") { nam } }' });
    expect(status).toBe(400);
    expect(body.errors[0].message).toBe('Cannot query field "nam" on type "Customer".');
  });

  it('refuses introspection', async () => {
    const { status, body } = await post(gateway.url, { query: '{ __schema { types { name } } }' });
    expect(status).toBe(400);
    expect(body.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('names the unavailable subgraph without its address, stack or error detail', async () => {
    const { status, body } = await post(gateway.url, { query: '{ customer(id: "1") { name contacts { name } } }' });
    expect(status).toBe(200);
    expect(body.data).toEqual({ customer: { name: 'Acme GmbH', contacts: null } });
    expect(body.errors).toEqual([
      { message: 'Subgraph "crm" is unavailable', path: ['customer', 'contacts'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'connection', serviceName: 'crm' } },
    ]);
  });
});
