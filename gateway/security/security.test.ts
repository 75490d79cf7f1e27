import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY_PROOF_HEADER, generateGatewayProofSecret } from '../../platform/auth/gatewayProof.js';
import { loadDemoIssuer, type DemoIssuer } from '../auth/demoIssuer.js';
import { startGateway, type RunningGateway } from '../server.js';
import { composeSupergraph } from '../supergraph/compose.js';
import { staticSupergraphSource } from '../supergraph/source.js';
import { CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from '../supergraph/fixtures.js';
import { readSecurityConfig } from './securityConfig.js';

/** The security wiring of the gateway core, on tiny subgraphs, in production mode. */
describe('a production gateway with security', () => {
  let dir: string;
  let issuer: DemoIssuer;
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'concord-security-'));
    const keyFile = path.join(dir, 'issuer.json');
    issuer = await loadDemoIssuer({ keyFile });
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    const security = { ...readSecurityConfig({ DEMO_ISSUER_KEY_FILE: keyFile }), gatewayProof: generateGatewayProofSecret() };
    gateway = await startGateway({ port: 0, subgraphs: [mdm, crm], production: true, introspection: true, security, logLevel: 'silent' });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function post(query: string, user?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (user) headers.authorization = `Bearer ${await issuer.issueToken({ user })}`;
    const response = await fetch(gateway.url, { method: 'POST', headers, body: JSON.stringify({ query }) });
    return { status: response.status, body: (await response.json()) as any };
  }

  it('answers introspection only to callers with the explore scope', async () => {
    const anonymous = await post('{ __schema { queryType { name } } }');
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.errors[0].extensions).toEqual({ code: 'INTROSPECTION_DISABLED' });
    expect((await post('{ __schema { queryType { name } } }', 'demo-sales')).status).toBe(403);
    const analyst = await post('{ __schema { queryType { name } } }', 'demo-analyst');
    expect(analyst.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });

  it('suggests field names only to callers with the explore scope', async () => {
    const anonymous = await post('{ customer(id: "1") { nam } }');
    expect(anonymous.body.errors[0].message).toBe('Cannot query field "nam" on type "Customer".');
    const analyst = await post('{ customer(id: "1") { nam } }', 'demo-analyst');
    expect(analyst.body.errors[0].message).toBe('Cannot query field "nam" on type "Customer". Did you mean "name"?');
  });

  it('signs a proof on every subgraph call, the SDL fetches of composition included', async () => {
    expect(mdm.received.length).toBeGreaterThan(0);
    expect(mdm.received.every((r) => typeof r.headers[GATEWAY_PROOF_HEADER] === 'string')).toBe(true);
    const before = crm.received.length;
    await post('{ customer(id: "1") { contacts { name } } }', 'demo-sales');
    const proof = crm.received.slice(before)[0].headers[GATEWAY_PROOF_HEADER] as string;
    const claims = JSON.parse(Buffer.from(proof.split('.')[1], 'base64url').toString());
    expect(claims).toMatchObject({ sub: 'demo-sales', scope: expect.stringContaining('sales:read'), iss: 'concord-gateway' });
  });
});

describe('a gateway without security', () => {
  it('refuses to serve a supergraph that declares access rules', async () => {
    const sdl = MDM_SDL.replace('["@key"]', '["@key", "@requiresScopes"]').replace('customers: [Customer!]!', 'customers: [Customer!]! @requiresScopes(scopes: [["customers:read"]])');
    const outcome = composeSupergraph([{ name: 'mdm', url: 'http://127.0.0.1:1/graphql', sdl: sdl.replace('v2.3', 'v2.5') }]);
    if ('errors' in outcome) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
    await expect(
      startGateway({ port: 0, subgraphs: [], supergraphSource: staticSupergraphSource(outcome.supergraphSdl), production: false, logLevel: 'silent' }),
    ).rejects.toThrow(/declares access rules .* without security/);
  });
});
