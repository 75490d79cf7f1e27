import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'undici';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';
import { migrateMdm } from '../../mdm/load/initialLoad.js';
import { signWebhookV3 } from '../../sandbox/crm/webhooks.js';
import type { CapturedChange } from '../change.js';
import type { CrmCompanies } from './crmCompanies.js';
import { startCrmWebhookReceiver, type RunningWebhookReceiver } from './crmWebhooks.js';

const SECRET = 'app-client-secret';

describe('the HubSpot webhook receiver', () => {
  let db: EmbeddedPostgres;
  let pool: pg.Pool;
  let receiver: RunningWebhookReceiver;
  const published: CapturedChange[] = [];
  const companies: CrmCompanies = {
    read: async (ids) => ids.map((id) => ({ id, properties: { name: `Company ${id}`, domain: `c${id}.example` }, updatedAt: '2026-12-01T10:00:00.000Z' })),
    modifiedSince: async () => ({ results: [] }),
    toChange: (c) => ({ eventId: `crm:companies:${c.id}:${c.updatedAt}`, system: 'CRM', objectType: 'companies', entityType: 'customer', sourceId: c.id, op: 'upsert', occurredAt: c.updatedAt!, updatedAt: c.updatedAt }),
  };

  beforeAll(async () => {
    db = await startEmbeddedPostgres();
    pool = createPool({ connectionString: db.connectionString });
    await migrateMdm(pool);
    receiver = await startCrmWebhookReceiver({ host: '127.0.0.1', port: 0, clientSecret: SECRET, pool, companies, publish: async (c) => { published.push(...c); } });
  });

  afterAll(async () => {
    await receiver?.close();
    await pool?.end();
    await db?.stop();
  });

  const post = async (body: string, options: { secret?: string; timestamp?: number; signature?: string } = {}) => {
    const timestamp = String(options.timestamp ?? Date.now());
    const signature = options.signature ?? signWebhookV3(options.secret ?? SECRET, 'POST', receiver.url, body, timestamp);
    const response = await request(receiver.url, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp },
    });
    return { status: response.statusCode, body: await response.body.json() as any };
  };
  const event = (eventId: number, subscriptionType: string, objectId: number, extra: Record<string, unknown> = {}) =>
    ({ eventId, subscriptionId: 1, portalId: 62515, appId: 1, occurredAt: Date.now(), subscriptionType, attemptNumber: 0, objectId, changeSource: 'CRM_UI', ...extra });

  it('answers 401 to a wrong signature or a timestamp older than 5 minutes, and publishes nothing', async () => {
    const body = JSON.stringify([event(1, 'company.creation', 11)]);
    expect((await post(body, { secret: 'someone-else' })).status).toBe(401);
    expect((await post(body, { timestamp: Date.now() - 5 * 60 * 1000 - 1_000 })).status).toBe(401);
    expect((await post(body, { signature: '' })).status).toBe(401);
    // A body changed after signing.
    const timestamp = Date.now();
    const signature = signWebhookV3(SECRET, 'POST', receiver.url, body, String(timestamp));
    expect((await post(body.replace('11', '12'), { timestamp, signature })).status).toBe(401);
    expect(published).toEqual([]);
  });

  it('answers 400 to a malformed body, and publishes nothing', async () => {
    expect((await post('{"not": "an array"')).status).toBe(400);
    expect((await post(JSON.stringify([{ eventId: 'x', subscriptionType: 'company.creation' }]))).status).toBe(400);
    expect((await post(JSON.stringify([event(2, 'company.merge', 11)]))).status).toBe(400);
    expect(published).toEqual([]);
  });

  it('publishes a batch as source changes once, however often HubSpot sends it', async () => {
    const body = JSON.stringify([
      event(10, 'company.creation', 21),
      event(11, 'company.propertyChange', 21, { propertyName: 'name', propertyValue: 'Company 21' }),
      event(12, 'company.deletion', 22),
      event(13, 'company.merge', 23, { primaryObjectId: 23, mergedObjectIds: [24] }),
    ]);
    const first = await post(body);
    expect(first).toEqual({ status: 200, body: { received: 4, duplicates: 0, published: 4 } });
    expect(published.map((c) => [c.sourceId, c.op, c.mergedInto ?? null]).sort()).toEqual([
      ['21', 'upsert', null], ['22', 'delete', null], ['23', 'upsert', null], ['24', 'merge', '23'],
    ]);
    const again = await post(body);
    expect(again).toEqual({ status: 200, body: { received: 4, duplicates: 4, published: 0 } });
    expect(published).toHaveLength(4);
  });
});
