import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../server.js';
import { CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from '../supergraph/fixtures.js';
import { DEFAULT_GATEWAY_RESILIENCE } from './resilienceConfig.js';

/** One unlabelled sample from the gateway's /metrics. */
async function metric(gateway: RunningGateway, name: string): Promise<number | undefined> {
  const text = await (await fetch(new URL('/metrics', gateway.url))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('gateway load shedding: over the in-flight cap', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({
      port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent',
      resilience: { ...DEFAULT_GATEWAY_RESILIENCE, maxInFlight: 2 },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
  });

  const post = (query: string) => fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });

  it('answers 503 GATEWAY_OVERLOADED with Retry-After at once while the cap is full, and serves again when it is not', async () => {
    const slow = [post('{ a: slow(ms: 800) }'), post('{ b: slow(ms: 800) }')];
    // Both slow ones are in flight once the subgraph has seen them.
    const deadline = Date.now() + 5_000;
    while (mdm.received.filter((r) => r.query.includes('slow')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(await metric(gateway, 'concord_requests_in_flight')).toBe(2);

    const started = Date.now();
    const shed = await post('{ customers { name } }');
    const shedMs = Date.now() - started;
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    const body = (await shed.json()) as { errors: Array<{ message: string; extensions: { code: string } }>; data?: unknown };
    expect(body.errors).toHaveLength(1);
    expect(body.errors[0].extensions.code).toBe('GATEWAY_OVERLOADED');
    expect(body.errors[0].message).toMatch(/serving 2 requests already/);
    expect(body.data).toBeUndefined();
    // Refused without waiting for the slow ones.
    expect(shedMs).toBeLessThan(500);
    expect(await metric(gateway, 'concord_requests_shed_total')).toBe(1);

    for (const answer of await Promise.all(slow)) expect(answer.status).toBe(200);
    const after = await post('{ customers { name } }');
    expect(after.status).toBe(200);
    expect(((await after.json()) as any).data.customers).toHaveLength(3);
    expect(await metric(gateway, 'concord_requests_in_flight')).toBe(0);
  });
});

describe('gateway readiness: GET /ready', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({
      port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent',
      // No cached answer: each probe below must see the state it was sent in.
      resilience: { ...DEFAULT_GATEWAY_RESILIENCE, readyCacheMs: 0, readyTimeoutMs: 500 },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
  });

  const ready = async () => {
    const response = await fetch(new URL('/ready', gateway.url));
    return { status: response.status, body: (await response.json()) as any };
  };

  it('is 200 with the supergraph loaded and every subgraph ready', async () => {
    const { status, body } = await ready();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ready', ready: true, supergraphLoaded: true });
    expect(body.subgraphs).toEqual({ mdm: { ready: true, status: 200 }, crm: { ready: true, status: 200 } });
  });

  it('is 503 naming the subgraph whose /ready says it is not ready, and 200 again when it is', async () => {
    crm.ready = false;
    const down = await ready();
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ status: 'unavailable', ready: false, supergraphLoaded: true });
    expect(down.body.subgraphs.crm).toEqual({ ready: false, status: 503, reason: 'answered 503' });
    expect(down.body.subgraphs.mdm.ready).toBe(true);
    // Liveness is not readiness: the gateway itself is fine.
    expect((await fetch(new URL('/health', gateway.url))).status).toBe(200);
    crm.ready = true;
    expect((await ready()).status).toBe(200);
  });

  it('is 503 naming a subgraph that cannot be reached', async () => {
    await crm.close();
    const { status, body } = await ready();
    expect(status).toBe(503);
    expect(body.subgraphs.crm).toEqual({ ready: false, reason: 'unreachable' });
    expect(body.subgraphs.mdm).toEqual({ ready: true, status: 200 });
  });
});
