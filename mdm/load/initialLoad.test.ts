import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { startCrmSandbox, type CrmSandbox } from '../../sandbox/crm/index.js';
import { seedCrmFixture, seedErpFixture } from '../testing/fixtures.js';
import { runInitialLoad } from './initialLoad.js';

const targets = await databaseTargets();

describe.each(targets)('the initial MDM load on $name', (target) => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let crm: CrmSandbox;

  beforeAll(async () => {
    if (target.unavailable) return;
    db = await target.create();
    pool = createPool({ connectionString: db.url, max: 4 });
    crm = await startCrmSandbox({ databaseUrl: db.url, port: 0, tokens: ['t'] });
    await seedErpFixture(pool);
    await seedCrmFixture(pool);
  });
  afterAll(async () => {
    await crm?.close();
    await pool?.end();
    await db?.drop();
  });

  it.skipIf(!!target.unavailable)('links ERP and CRM records of one company to one golden record, read through the HubSpot API', async () => {
    const summary = await runInitialLoad(pool, { actor: 'tester', crmBaseUrl: crm.url, crmToken: 't' });
    expect(summary.sources).toEqual({ customer: { erp: 3, crm: 3 }, product: { erp: 3, crm: 2 } });
    expect(crm.requests.some((r) => r.path === '/crm/v3/objects/companies')).toBe(true);

    const xref = await pool.query(`SELECT system, source_id, master_id, rule FROM mdm.xref WHERE entity_type = 'customer' ORDER BY system, source_id`);
    const masterOf = Object.fromEntries(xref.rows.map((r) => [`${r.system}:${r.source_id}`, r.master_id]));
    expect(masterOf['erp:1']).toBe(masterOf['crm:101']); // Acme: same name (legal form dropped) and tax id
    expect(masterOf['erp:2']).toBe(masterOf['crm:102']); // Bolt & Nut NV / Bolt and Nut: same name and web domain
    expect(new Set(Object.values(masterOf)).size).toBe(4); // + Zenith (ERP only) and Northwind (CRM only)
    expect(masterOf['erp:1']).toMatch(/^cus_[0-9a-f]{12}$/);

    const golden = await pool.query(`SELECT attributes, provenance FROM mdm.golden_record WHERE master_id = $1`, [masterOf['erp:1']]);
    expect(golden.rows[0].attributes).toMatchObject({ name: 'Acme Industries GmbH', taxId: 'DE136695976', domain: 'acme-industries.de', phone: '+49301234567', country: 'DE' });
    expect(golden.rows[0].provenance.name).toEqual({ system: 'erp', sourceId: '1', rule: 'trust' });

    const products = await pool.query(`SELECT x.system, x.source_id, g.master_id, g.attributes FROM mdm.xref x JOIN mdm.golden_record g USING (master_id) WHERE x.entity_type = 'product' ORDER BY 1, 2`);
    const bolt = products.rows.filter((r) => r.attributes.sku === 'BOLT-M8-40');
    expect(bolt.map((r) => `${r.system}:${r.source_id}`)).toEqual(['crm:201', 'erp:1']);
    expect(bolt[0].master_id).toBe(bolt[1].master_id);
    expect(bolt[0].attributes).toMatchObject({ sku: 'BOLT-M8-40', gtin: '4006381333931', name: 'Steel bolt M8', listPrice: 0.35 });

    const history = await pool.query(`SELECT actor, action, after FROM mdm.history WHERE action = 'load' ORDER BY id`);
    expect(history.rows.map((r) => [r.actor, r.after.entityType])).toEqual([['tester', 'customer'], ['tester', 'product']]);
  });

  it.skipIf(!!target.unavailable)('keeps every master id when run again', async () => {
    const before = await pool.query(`SELECT system, source_id, master_id FROM mdm.xref ORDER BY 1, 2, 3`);
    const summary = await runInitialLoad(pool, { actor: 'tester', crmBaseUrl: crm.url, crmToken: 't' });
    const after = await pool.query(`SELECT system, source_id, master_id FROM mdm.xref ORDER BY 1, 2, 3`);
    expect(after.rows).toEqual(before.rows);
    expect(summary.customers).toMatchObject({ created: 0, updated: 0, xrefChanged: 0, joins: 0, splits: 0 });
  });
});
