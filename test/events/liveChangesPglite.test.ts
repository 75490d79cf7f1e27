import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { customerByIdQuery as byId, searchCustomersQuery as search, within } from '../support/liveChanges.js';

describe('live changes on the embedded PGlite, as npm start runs them', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startTestStack({ companies: 60 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const searchFor = async (name: string) => {
    const { body } = await postGraphQL(stack.gatewayUrl, search, { name }, stack.headersFor('demo-admin'));
    expect(body.errors).toBeUndefined();
    return body.data.searchCustomers.nodes as Array<{ id: string; name: string; sources: Array<{ system: string; sourceId: string }> }>;
  };

  it('shows a company inserted into the ERP as a golden customer through the gateway within 2 seconds, and follows its rename', async () => {
    const country = (await stack.pool.query(`SELECT id FROM erp.res_country WHERE code = 'DE'`)).rows[0].id;
    const inserted = await stack.pool.query(
      `INSERT INTO erp.res_partner (name, vat, email, city, zip, country_id, is_company, customer_rank)
       VALUES ('Quillfeather Instruments GmbH', NULL, 'sales@quillfeather.example', 'Bremen', '28195', $1, true, 1) RETURNING id`,
      [country],
    );
    const partnerId = String(inserted.rows[0].id);
    const found = await within(2_000, async () => (await searchFor('Quillfeather Instruments')).find((n) => n.sources.some((s) => s.system === 'ERP' && s.sourceId === partnerId)));
    expect(found.elapsedMs).toBeLessThan(2_000);
    expect(found.value.name).toBe('Quillfeather Instruments GmbH');

    const { body } = await postGraphQL(stack.gatewayUrl, byId, { id: found.value.id }, stack.headersFor('demo-admin'));
    expect(body.errors).toBeUndefined();
    expect(body.data.customer).toEqual({ id: found.value.id, name: 'Quillfeather Instruments GmbH', sources: [{ system: 'ERP', sourceId: partnerId }] });

    // Its only source record is the ERP's, so survivorship takes the ERP's new name.
    await stack.pool.query(`UPDATE erp.res_partner SET name = 'Quillfeather Precision Instruments GmbH' WHERE id = $1`, [partnerId]);
    const renamed = await within(2_000, async () => {
      const { body: b } = await postGraphQL(stack.gatewayUrl, byId, { id: found.value.id }, stack.headersFor('demo-admin'));
      return b.data?.customer?.name === 'Quillfeather Precision Instruments GmbH' ? b.data.customer : undefined;
    });
    expect(renamed.value.id).toBe(found.value.id);

    // Each change is one history event a steward can see.
    const history = await stack.pool.query(`SELECT action, actor FROM mdm.history WHERE $1 = ANY(master_ids) ORDER BY id`, [found.value.id]);
    expect(history.rows.map((r) => r.actor)).toEqual(['cdc:erp', 'cdc:erp']);

    // Archiving it in the ERP (Odoo's delete) takes the golden customer away.
    await stack.pool.query(`UPDATE erp.res_partner SET active = false WHERE id = $1`, [partnerId]);
    await within(2_000, async () => {
      const { body: b } = await postGraphQL(stack.gatewayUrl, byId, { id: found.value.id }, stack.headersFor('demo-admin'));
      return b.data && b.data.customer === null ? true : undefined;
    });
  });

  const crm = async (method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown) => {
    const response = await request(`${stack.crmSandbox.url}${path}`, {
      method, headers: { authorization: 'Bearer pat-concord-sandbox', 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await response.body.text();
    return { status: response.statusCode, body: text ? JSON.parse(text) : undefined };
  };

  it('joins a company created through the CRM API to the ERP company it matches, and moves the cross-reference on a CRM merge', async () => {
    const inserted = await stack.pool.query(
      `INSERT INTO erp.res_partner (name, email, website, phone, city, zip, is_company, customer_rank)
       VALUES ('Tidewater Marine Supplies Ltd', 'orders@tidewater-marine.example', 'https://www.tidewater-marine.example', '+44 1752 600100', 'Plymouth', 'PL1 2AA', true, 1) RETURNING id`);
    const partnerId = String(inserted.rows[0].id);
    const erpGolden = await within(2_000, async () => (await searchFor('Tidewater Marine')).find((n) => n.sources.some((s) => s.system === 'ERP' && s.sourceId === partnerId)));

    const created = await crm('POST', '/crm/v3/objects/companies', { properties: { name: 'Tidewater Marine Supplies', domain: 'tidewater-marine.example', phone: '01752 600100', city: 'Plymouth', zip: 'PL1 2AA' } });
    expect(created.status).toBe(201);
    const companyId = created.body.id as string;
    const joined = await within(3_000, async () => {
      const { body } = await postGraphQL(stack.gatewayUrl, byId, { id: erpGolden.value.id }, stack.headersFor('demo-admin'));
      return body.data?.customer?.sources.some((s: any) => s.system === 'CRM' && s.sourceId === companyId) ? body.data.customer : undefined;
    });
    expect(joined.value.sources.map((s: any) => `${s.system}:${s.sourceId}`).sort()).toEqual([`CRM:${companyId}`, `ERP:${partnerId}`]);

    // A second CRM company for the same business, merged into the first in the CRM: its cross-reference goes.
    const duplicate = await crm('POST', '/crm/v3/objects/companies', { properties: { name: 'Tidewater Marine', domain: 'tidewater-marine.example', city: 'Plymouth' } });
    const duplicateId = duplicate.body.id as string;
    await within(3_000, async () => ((await stack.pool.query(`SELECT 1 FROM mdm.xref WHERE system = 'crm' AND source_id = $1`, [duplicateId])).rowCount ? true : undefined));
    const merged = await crm('POST', '/crm/v3/objects/companies/merge', { primaryObjectId: companyId, objectIdToMerge: duplicateId });
    expect(merged.status).toBe(200);
    await within(3_000, async () => ((await stack.pool.query(`SELECT 1 FROM mdm.xref WHERE system = 'crm' AND source_id = $1`, [duplicateId])).rowCount === 0 ? true : undefined));
    const { body } = await postGraphQL(stack.gatewayUrl, byId, { id: erpGolden.value.id }, stack.headersFor('demo-admin'));
    expect(body.data.customer.sources.map((s: any) => `${s.system}:${s.sourceId}`).sort()).toEqual([`CRM:${companyId}`, `ERP:${partnerId}`]);
    const removal = await stack.pool.query(`SELECT actor FROM mdm.history WHERE action = 'remove' AND reason LIKE $1`, [`crm:${duplicateId} %`]);
    expect(removal.rows).toEqual([{ actor: 'cdc:crm' }]);
  });

  it('catches up through the CRM search API on a change whose webhook never arrived', async () => {
    stack.crmSandbox.configureWebhooks(undefined); // HubSpot could not deliver
    const created = await crm('POST', '/crm/v3/objects/companies', { properties: { name: 'Silent Harbour Analytics', domain: 'silent-harbour.example', city: 'Cork' } });
    const companyId = created.body.id as string;
    await new Promise((r) => setTimeout(r, 500));
    expect((await stack.pool.query(`SELECT 1 FROM mdm.xref WHERE system = 'crm' AND source_id = $1`, [companyId])).rowCount).toBe(0);
    expect(await stack.pipeline!.sweepCrmNow()).toBeGreaterThanOrEqual(1);
    const found = (await searchFor('Silent Harbour Analytics')).find((n) => n.sources.some((s) => s.system === 'CRM' && s.sourceId === companyId));
    expect(found?.name).toBe('Silent Harbour Analytics');
  });

  it('quarantines an ERP record that breaks a rule, lists it with its rule for a steward token only, and releases it when the ERP corrects it', async () => {
    const quarantine = `query { quarantinedRecords(entityType: CUSTOMER, first: 100) { system sourceId rule message rawRecord } }`;
    const listed = async (user: string) => postGraphQL(stack.gatewayUrl, quarantine, {}, stack.headersFor(user));
    const inserted = await stack.pool.query(
      `INSERT INTO erp.res_partner (name, email, city, is_company, customer_rank)
       VALUES ('Marrowgate Tiling Ltd', 'orders(at)marrowgate', 'Leeds', true, 1) RETURNING id`);
    const partnerId = String(inserted.rows[0].id);
    const entry = await within(3_000, async () => {
      const { body } = await listed('demo-steward');
      expect(body.errors).toBeUndefined();
      return (body.data.quarantinedRecords as any[]).find((q) => q.system === 'ERP' && q.sourceId === partnerId);
    });
    expect(entry.value).toMatchObject({ rule: 'MALFORMED_EMAIL', message: 'email "orders(at)marrowgate" is not well formed' });
    expect(JSON.parse(entry.value.rawRecord)).toMatchObject({ attributes: { name: 'Marrowgate Tiling Ltd', primaryEmail: 'orders(at)marrowgate' } });
    // Not matched: no golden record holds it.
    expect((await searchFor('Marrowgate Tiling')).filter((n) => n.sources.some((x) => x.sourceId === partnerId))).toEqual([]);

    // A user without mdm:steward gets no list at all, only an error.
    const { body: refused } = await listed('demo-analyst');
    expect(refused.data?.quarantinedRecords ?? null).toBeNull();
    expect(refused.errors?.length).toBeGreaterThan(0);

    await stack.pool.query(`UPDATE erp.res_partner SET email = 'orders@marrowgate.example' WHERE id = $1`, [partnerId]);
    const golden = await within(3_000, async () => (await searchFor('Marrowgate Tiling')).find((n) => n.sources.some((x) => x.system === 'ERP' && x.sourceId === partnerId)));
    expect(golden.value.name).toBe('Marrowgate Tiling Ltd');
    const { body: after } = await listed('demo-steward');
    expect((after.data.quarantinedRecords as any[]).filter((q) => q.sourceId === partnerId && q.system === 'ERP')).toEqual([]);
  });

  it("is part of the gateway's /ready: not ready with the reason while the ERP capture fails, ready again when it recovers", async () => {
    const ready = async () => {
      const response = await request(new URL('/ready', stack.gatewayUrl));
      return { status: response.statusCode, body: await response.body.json() as any };
    };
    const first = await within(3_000, async () => { const r = await ready(); return r.status === 200 ? r : undefined; });
    expect(first.value.body.components.liveChanges).toEqual({ healthy: true, reasons: [] });
    // The watermark poll reads write_date: without it every poll fails.
    await stack.pool.query('ALTER TABLE erp.res_partner RENAME COLUMN write_date TO write_date_gone');
    try {
      const broken = await within(5_000, async () => { const r = await ready(); return r.status === 503 ? r : undefined; });
      expect(broken.value.body.ready).toBe(false);
      expect(broken.value.body.components.liveChanges.healthy).toBe(false);
      expect(broken.value.body.components.liveChanges.reasons.join(' ')).toMatch(/^erp capture: .*write_date/);
    } finally {
      await stack.pool.query('ALTER TABLE erp.res_partner RENAME COLUMN write_date_gone TO write_date');
    }
    const recovered = await within(5_000, async () => { const r = await ready(); return r.status === 200 ? r : undefined; });
    expect(recovered.value.body.components.liveChanges).toEqual({ healthy: true, reasons: [] });
  });
});
