import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UsageRecord } from '../../schema/client/usage.js';
import { startGateway, type RunningGateway } from '../server.js';
import { CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from '../supergraph/fixtures.js';
import { usageReportingPlugin } from './usagePlugin.js';

describe('the usage reporting plugin', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;
  const recorded: UsageRecord[] = [];

  const post = async (body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as any };
  };

  beforeAll(async () => {
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({
      port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent',
      plugins: [usageReportingPlugin({ record: (usage) => recorded.push(usage) })],
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
  });

  it('records the coordinates an executed operation used, with its name and the Apollo client headers', async () => {
    recorded.length = 0;
    const query = 'query CustomerCard($id: ID!) { customer(id: $id) { name contacts { email } } }';
    const headers = { 'apollographql-client-name': 'web-shop', 'apollographql-client-version': '2.3.1' };
    expect((await post({ query, variables: { id: '1' } }, headers)).status).toBe(200);
    expect((await post({ query, variables: { id: '2' } }, headers)).status).toBe(200);
    expect(recorded).toHaveLength(2);
    expect(recorded[0]).toEqual({
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      name: 'CustomerCard',
      clientName: 'web-shop',
      clientVersion: '2.3.1',
      fields: ['Contact.email', 'Customer.contacts', 'Customer.name', 'Query.customer', 'Query.customer.id'],
    });
    // Same document: the same signature object, computed once.
    expect(recorded[1].fields).toBe(recorded[0].fields);
  });

  it('gives each operation of a multi-operation document its own id, and skips refused and introspection-only requests', async () => {
    recorded.length = 0;
    const document = 'query A { customers { id } } query B { customers { name } }';
    await post({ query: document, operationName: 'A' });
    await post({ query: document, operationName: 'B' });
    await post({ query: '{ __typename }' });
    await post({ query: '{ customers { nope } }' });
    expect(recorded.map((r) => [r.name, r.clientName, r.fields])).toEqual([
      ['A', null, ['Customer.id', 'Query.customers']],
      ['B', null, ['Customer.name', 'Query.customers']],
    ]);
    expect(recorded[0].hash).not.toBe(recorded[1].hash);
  });
});
