import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../server.js';
import { composeSupergraph, writeSupergraphFile } from './compose.js';
import { CRM_SDL, CRM_V2_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from './fixtures.js';
import { pushSupergraphSource } from './source.js';

async function post(url: string, query: string) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return { status: response.status, body: (await response.json()) as any };
}

function supergraphOf(...subgraphs: TinySubgraph[]): string {
  const outcome = composeSupergraph(subgraphs);
  if ('errors' in outcome) throw new Error(outcome.errors.map((e) => e.message).join('\n'));
  return outcome.supergraphSdl;
}

describe('hot reload through a SupergraphSource', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let crmV2: TinySubgraph;
  let source: ReturnType<typeof pushSupergraphSource>;
  let gateway: RunningGateway;

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    crmV2 = await startTinySubgraph('crm', CRM_V2_SDL, crmResolvers);
    source = pushSupergraphSource(supergraphOf(mdm, crm));
    gateway = await startGateway({ port: 0, subgraphs: [], supergraphSource: source, production: false, logLevel: 'silent' });
  });
  afterAll(async () => {
    await gateway?.close();
    await Promise.all([mdm?.close(), crm?.close(), crmV2?.close()]);
  });

  it('refuses a supergraph that does not parse, keeps serving the old one, and reports the refusal', async () => {
    const before = gateway.supergraph();
    source.push('type Query { broken');
    expect(gateway.supergraph().id).toBe(before.id);
    expect(gateway.supergraph().lastRejection?.reason).toMatch(/Syntax Error/);
    const { status, body } = await post(gateway.url, '{ customer(id: "1") { name contacts { name } } }');
    expect(status).toBe(200);
    expect(body).toEqual({ data: { customer: { name: 'Acme GmbH', contacts: [{ name: 'Contact of 1' }] } } });
    const health = (await (await fetch(gateway.url.replace('/graphql', '/health'))).json()) as any;
    expect(health.status).toBe('ok');
    expect(health.supergraph.lastRejection.reason).toMatch(/Syntax Error/);
  });

  it('refuses a schema that is valid GraphQL but not a supergraph', async () => {
    const before = gateway.supergraph().id;
    source.push('type Query { hello: String }');
    expect(gateway.supergraph().id).toBe(before);
    expect(gateway.supergraph().lastRejection?.reason).toBeTruthy();
    expect((await post(gateway.url, '{ customers { id } }')).body.data.customers).toHaveLength(3);
  });

  it('serves a new supergraph with a new field while requests in flight complete on the old one', async () => {
    const before = gateway.supergraph();
    expect((await post(gateway.url, '{ customer(id: "1") { segment } }')).status).toBe(400);

    const inFlight = post(gateway.url, '{ slow(ms: 400) customer(id: "2") { name contacts { name } } }');
    await sleep(100); // the slow request is now waiting on the mdm subgraph
    source.push(supergraphOf(mdm, crmV2));

    const after = gateway.supergraph();
    expect(after.id).not.toBe(before.id);
    expect(after.reloads).toBe(before.reloads + 1);
    const fresh = await post(gateway.url, '{ customer(id: "1") { name segment } }');
    expect(fresh.body).toEqual({ data: { customer: { name: 'Acme GmbH', segment: 'enterprise' } } });
    expect(crmV2.received.some((r) => r.query.includes('segment'))).toBe(true);

    const old = await inFlight;
    expect(old.status).toBe(200);
    expect(old.body).toEqual({ data: { slow: 'slept 400', customer: { name: 'Globex SA', contacts: [{ name: 'Contact of 2' }] } } });
  });
});

describe('a supergraph file written by writeSupergraphFile', () => {
  let directory: string;
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let crmV2: TinySubgraph;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'concord-gateway-'));
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    crmV2 = await startTinySubgraph('crm', CRM_V2_SDL, crmResolvers);
  });
  afterAll(async () => {
    await Promise.all([mdm?.close(), crm?.close(), crmV2?.close()]);
    await rm(directory, { recursive: true, force: true });
  });

  it('is served with --supergraph, reloaded when rewritten, and a broken rewrite is refused', async () => {
    const path = join(directory, 'supergraph.graphql');
    const written = await writeSupergraphFile([mdm, crm], path);
    expect(written.id).toMatch(/^[0-9a-f]{64}$/);
    const gateway = await startGateway({ port: 0, subgraphs: [], supergraphPath: path, production: false, logLevel: 'silent' });
    try {
      expect(gateway.supergraph().id).toBe(written.id);
      const rewritten = await writeSupergraphFile([mdm, crmV2], path);
      for (let i = 0; i < 50 && gateway.supergraph().id !== rewritten.id; i++) await sleep(50);
      expect(gateway.supergraph().id).toBe(rewritten.id);
      expect((await post(gateway.url, '{ customer(id: "2") { segment } }')).body).toEqual({ data: { customer: { segment: 'smb' } } });

      await writeFile(path, 'schema { query: Query', 'utf8');
      for (let i = 0; i < 50 && !gateway.supergraph().lastRejection; i++) await sleep(50);
      expect(gateway.supergraph().lastRejection).toBeDefined();
      expect(gateway.supergraph().id).toBe(rewritten.id);
      expect((await post(gateway.url, '{ customer(id: "2") { segment } }')).status).toBe(200);
    } finally {
      await gateway.close();
    }
  });
});
