import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayPlugin } from '../plugins.js';
import { startGateway, type RunningGateway } from '../server.js';
import { CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from '../supergraph/fixtures.js';

/** The caller's identity on every subgraph call, as the gateway proof carries it. */
const callerPlugin: GatewayPlugin = {
  name: 'test-caller',
  willSendRequest({ request, context }) {
    request.headers['x-caller'] = String(context?.headers.authorization ?? 'anonymous');
  },
};

async function customer(url: string, id: string, caller: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: caller },
    body: JSON.stringify({ query: `{ customer(id: "${id}") { id name contacts { name } } }` }),
  });
  return (await response.json()) as any;
}

describe('entity fetches of concurrent operations, through a gateway over HTTP', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    // Customer 1's contacts take 300 ms: the operations sent meanwhile find its call in flight.
    crm = await startTinySubgraph('crm', CRM_SDL, {
      Customer: {
        ...crmResolvers.Customer,
        contacts: async (c: { id: string }) => {
          if (c.id === '1') await sleep(300);
          return crmResolvers.Customer.contacts(c);
        },
      },
    });
    gateway = await startGateway({ port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent', plugins: [callerPlugin], entityBatchInFlight: 1, entityBatchMaxWaitMs: 5_000 });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
  });

  const entityCalls = () => crm.received.filter((r) => Array.isArray(r.variables?.representations));
  const ids = (r: TinySubgraph['received'][number]) => (r.variables!.representations as { id: string }[]).map((x) => x.id);

  it("merges one caller's waiting fetches into one call, answers each with its own entities and errors, and never mixes callers", async () => {
    const before = entityCalls().length;
    const slow = customer(gateway.url, '1', 'Bearer alice');
    await sleep(100);
    const [two, thirteen, bobsTwo] = await Promise.all([
      customer(gateway.url, '2', 'Bearer alice'),
      customer(gateway.url, '13', 'Bearer alice'),
      customer(gateway.url, '2', 'Bearer bob'),
    ]);
    const one = await slow;

    const calls = entityCalls().slice(before);
    const alices = calls.filter((c) => c.headers['x-caller'] === 'Bearer alice');
    const bobs = calls.filter((c) => c.headers['x-caller'] === 'Bearer bob');
    expect(alices.map((c) => ids(c).sort())).toEqual([['1'], ['13', '2']]);
    expect(bobs.map(ids)).toEqual([['2']]);

    expect(one).toEqual({ data: { customer: { id: '1', name: 'Acme GmbH', contacts: [{ name: 'Contact of 1' }] } } });
    expect(two).toEqual({ data: { customer: { id: '2', name: 'Globex SA', contacts: [{ name: 'Contact of 2' }] } } });
    expect(bobsTwo).toEqual(two);
    // Customer 13's CRM error stays with its own operation, at its own path.
    expect(thirteen.data).toEqual({ customer: { id: '13', name: 'Initech Ltd', contacts: null } });
    expect(thirteen.errors).toHaveLength(1);
    expect(thirteen.errors[0]).toMatchObject({ path: ['customer', 'contacts'], extensions: { code: 'CRM_UNAVAILABLE' } });
    expect(two.errors).toBeUndefined();
    // Both of Alice's fetches that went out together are counted.
    const metrics = await (await fetch(gateway.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/^concord_gateway_subgraph_entity_fetches_merged_total\{subgraph="crm"\} 2$/m);
  });

  it('with SUBGRAPH_ENTITY_BATCH_IN_FLIGHT=0 every fetch goes on its own', async () => {
    const unmerged = await startGateway({ port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent', plugins: [callerPlugin], entityBatchInFlight: 0 });
    try {
      const before = entityCalls().length;
      const slow = customer(unmerged.url, '1', 'Bearer dave');
      await sleep(100);
      await Promise.all([customer(unmerged.url, '2', 'Bearer dave'), customer(unmerged.url, '13', 'Bearer dave')]);
      await slow;
      expect(entityCalls().slice(before).map((c) => ids(c)).sort()).toEqual([['1'], ['13'], ['2']]);
    } finally {
      await unmerged.close();
    }
  });

  it('sends at once when nothing of the same fetch is in flight', async () => {
    const before = entityCalls().length;
    expect((await customer(gateway.url, '2', 'Bearer carol')).data.customer.contacts).toEqual([{ name: 'Contact of 2' }]);
    expect((await customer(gateway.url, '13', 'Bearer carol')).errors[0].extensions.code).toBe('CRM_UNAVAILABLE');
    expect(entityCalls().slice(before).map(ids)).toEqual([['2'], ['13']]);
  });
});
