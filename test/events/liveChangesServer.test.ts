import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { postGraphQL } from '../support/graphql.js';
import { natsTarget, testNamespace } from '../support/nats.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { customerByIdQuery as byId, searchCustomersQuery as search, within } from '../support/liveChanges.js';
import { createJetStreamBroker } from '../../events/broker/jetstream.js';

const server = (await databaseTargets()).find((t) => t.name === 'postgres')!;
const nats = await natsTarget();

describe.skipIf(Boolean(server.unavailable || nats.unavailable))('live changes on the PostgreSQL server through logical replication and NATS JetStream', () => {
  const namespace = testNamespace('e2e');
  let database: TestDatabase;
  let stack: TestStack;

  beforeAll(async () => {
    database = await server.create();
    stack = await startTestStack({
      databaseUrl: database.url, companies: 60,
      env: { NATS_URL: nats.url, CDC_NATS_NAMESPACE: namespace, CDC_PUBLICATION: `pub_${namespace}`, CDC_SLOT: `slot_${namespace}` },
    });
  });

  afterAll(async () => {
    await stack?.stop();
    const broker = await createJetStreamBroker({ servers: nats.url, namespace, maxDeliveries: 1 });
    await broker.deleteStreams();
    await broker.close();
    await database?.drop(); // drops the test's slot too
  });

  const headers = () => stack.headersFor('demo-admin');

  it('captures with logical replication from its own slot and consumes from JetStream', async () => {
    const status = await stack.pipeline!.status();
    expect(status.broker.kind).toBe('jetstream');
    expect(status.sources[0]).toMatchObject({ source: 'erp', mode: 'logical-replication' });
    const slot = await stack.pool.query('SELECT plugin, active FROM pg_replication_slots WHERE slot_name = $1', [`slot_${namespace}`]);
    expect(slot.rows).toEqual([{ plugin: 'pgoutput', active: true }]);
  });

  it('shows a company inserted into the ERP through the gateway within 2 s, and its rename', async () => {
    const before = (await stack.pool.query('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0].lsn;
    const inserted = await stack.pool.query(
      `INSERT INTO erp.res_partner (name, email, city, zip, is_company, customer_rank)
       VALUES ('Brightwater Hydraulics Ltd', 'hello@brightwater.example', 'Leeds', 'LS1 4AP', true, 1) RETURNING id`);
    const partnerId = String(inserted.rows[0].id);
    const found = await within(2_000, async () => {
      const { body } = await postGraphQL(stack.gatewayUrl, search, { name: 'Brightwater Hydraulics' }, headers());
      return (body.data?.searchCustomers.nodes as any[] | undefined)?.find((n) => n.sources.some((s: any) => s.system === 'ERP' && s.sourceId === partnerId));
    });
    expect(found.elapsedMs).toBeLessThan(2_000);
    const { body } = await postGraphQL(stack.gatewayUrl, byId, { id: found.value.id }, headers());
    expect(body.data.customer).toEqual({ id: found.value.id, name: 'Brightwater Hydraulics Ltd', sources: [{ system: 'ERP', sourceId: partnerId }] });

    await stack.pool.query(`UPDATE erp.res_partner SET name = 'Brightwater Fluid Power Ltd' WHERE id = $1`, [partnerId]);
    const renamed = await within(2_000, async () => {
      const { body: b } = await postGraphQL(stack.gatewayUrl, byId, { id: found.value.id }, headers());
      return b.data?.customer?.name === 'Brightwater Fluid Power Ltd' ? true : undefined;
    });
    expect(renamed.elapsedMs).toBeLessThan(2_000);
    // The slot's confirmed position moved past both changes once they were safely in JetStream.
    const slot = await stack.pool.query('SELECT confirmed_flush_lsn > $2::pg_lsn AS past FROM pg_replication_slots WHERE slot_name = $1', [`slot_${namespace}`, before]);
    expect(slot.rows[0].past).toBe(true);
  });

  it('joins the same company created through the CRM API to that golden record, and moves the cross-reference on a CRM merge', async () => {
    const crm = async (path: string, body: unknown) => {
      const response = await request(`${stack.crmSandbox.url}${path}`, {
        method: 'POST', headers: { authorization: 'Bearer pat-concord-sandbox', 'content-type': 'application/json' }, body: JSON.stringify(body),
      });
      return { status: response.statusCode, body: await response.body.json() as any };
    };
    const inserted = await stack.pool.query(
      `INSERT INTO erp.res_partner (name, email, website, city, zip, is_company, customer_rank)
       VALUES ('Harbourlight Optics Ltd', 'sales@harbourlight.example', 'https://harbourlight.example', 'Bristol', 'BS1 4DJ', true, 1) RETURNING id`);
    const partnerId = String(inserted.rows[0].id);
    const golden = await within(2_000, async () => {
      const { body } = await postGraphQL(stack.gatewayUrl, search, { name: 'Harbourlight Optics' }, headers());
      return (body.data?.searchCustomers.nodes as any[] | undefined)?.find((n) => n.sources.some((s: any) => s.system === 'ERP' && s.sourceId === partnerId));
    });
    const created = await crm('/crm/v3/objects/companies', { properties: { name: 'Harbourlight Optics', domain: 'harbourlight.example', city: 'Bristol', zip: 'BS1 4DJ' } });
    expect(created.status).toBe(201);
    const joined = await within(3_000, async () => {
      const { body } = await postGraphQL(stack.gatewayUrl, byId, { id: golden.value.id }, headers());
      return body.data?.customer?.sources.some((s: any) => s.system === 'CRM' && s.sourceId === created.body.id) ? body.data.customer : undefined;
    });
    expect(joined.value.sources.map((s: any) => `${s.system}:${s.sourceId}`).sort()).toEqual([`CRM:${created.body.id}`, `ERP:${partnerId}`]);

    const duplicate = await crm('/crm/v3/objects/companies', { properties: { name: 'Harbourlight Optics Limited', domain: 'harbourlight.example', city: 'Bristol' } });
    await within(3_000, async () => ((await stack.pool.query(`SELECT 1 FROM mdm.xref WHERE system = 'crm' AND source_id = $1`, [duplicate.body.id])).rowCount ? true : undefined));
    expect((await crm('/crm/v3/objects/companies/merge', { primaryObjectId: created.body.id, objectIdToMerge: duplicate.body.id })).status).toBe(200);
    await within(3_000, async () => ((await stack.pool.query(`SELECT 1 FROM mdm.xref WHERE system = 'crm' AND source_id = $1`, [duplicate.body.id])).rowCount === 0 ? true : undefined));
    const { body } = await postGraphQL(stack.gatewayUrl, byId, { id: golden.value.id }, headers());
    expect(body.data.customer.sources.map((s: any) => `${s.system}:${s.sourceId}`).sort()).toEqual([`CRM:${created.body.id}`, `ERP:${partnerId}`]);
  });
});
