import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../test/support/databases.js';
import { migrateMdm } from '../mdm/load/initialLoad.js';
import { startCrmSandbox, type CrmSandbox } from '../sandbox/crm/server.js';
import { hubSpotModifiedAfter } from './capture/crmCompanies.js';
import { createPositionStore } from './store/positions.js';
import { readCdcStatus } from './status.js';

/**
 * `concord cdc status` for the CRM: its lag behind the catch-up sweep is
 * what the CRM's search API says was modified after the sweep's watermark,
 * asked of the CRM stand-in (HubSpot's contract) over HTTP.
 */
const TOKEN = 'pat-status-test';
const targets = await databaseTargets();

describe.each(targets)('cdc status: the CRM\'s lag behind the sweep ($name)', (target) => { describe.skipIf(Boolean(target.unavailable))('', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let crm: CrmSandbox;

  beforeAll(async () => {
    database = await target.create();
    pool = createPool({ connectionString: database.url, max: 2 });
    await migrateMdm(pool);
    crm = await startCrmSandbox({ databaseUrl: database.url, tokens: [TOKEN], port: 0 });
  });

  afterAll(async () => {
    await crm?.close();
    await pool?.end();
    await database?.drop();
  });

  const create = async (name: string) => {
    const response = await fetch(`${crm.url}/crm/v3/objects/companies`, {
      method: 'POST', headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ properties: { name } }),
    });
    expect(response.status).toBe(201);
    return (await response.json()) as { id: string; updatedAt: string };
  };
  const crmStatus = async () => (await readCdcStatus(pool, { crmModifiedAfter: (since) => hubSpotModifiedAfter({ baseUrl: crm.url, token: TOKEN }, since) }))
    .sources.find((s) => s.source === 'crm')!;

  it('counts the companies changed after the watermark and how far the newest is ahead, and is zero once swept', async () => {
    const positions = createPositionStore(pool);
    const first = await create('Status Probe Alpha Ltd');
    await positions.write('crm:companies', { modifiedSince: Date.parse(first.updatedAt) });
    await new Promise((r) => setTimeout(r, 20));
    await create('Status Probe Beta Ltd');
    await new Promise((r) => setTimeout(r, 20));
    const newest = await create('Status Probe Gamma Ltd');

    const behind = await crmStatus();
    expect(behind.lagEvents).toBe(2);
    expect(behind.lagSeconds).toBeCloseTo((Date.parse(newest.updatedAt) - Date.parse(first.updatedAt)) / 1000, 3);
    expect(behind.lagSeconds).toBeGreaterThan(0);

    await positions.write('crm:companies', { modifiedSince: Date.parse(newest.updatedAt) });
    expect(await crmStatus()).toMatchObject({ lagEvents: 0, lagSeconds: 0 });
  });

  it('says the lag is unknown, not zero, when the CRM cannot be asked', async () => {
    const unknown = (await readCdcStatus(pool, { crmModifiedAfter: (since) => hubSpotModifiedAfter({ baseUrl: crm.url, token: 'pat-wrong' }, since) }))
      .sources.find((s) => s.source === 'crm')!;
    expect(unknown).toMatchObject({ lagEvents: null, lagSeconds: null });
  });
  });
});
