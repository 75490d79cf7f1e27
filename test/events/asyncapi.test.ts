import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';
import { crmTableReader, runInitialLoad } from '../../mdm/load/initialLoad.js';
import { seedCrmFixture, seedErpFixture } from '../../mdm/testing/fixtures.js';
import type { GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { createInProcessBroker } from '../../events/broker/inProcess.js';
import type { CapturedChange } from '../../events/change.js';
import { createErpWatermarkCapture } from '../../events/capture/erpWatermark.js';
import { createMdmConsumer } from '../../events/consumer/mdmConsumer.js';
import { createPositionStore } from '../../events/store/positions.js';

/**
 * docs/asyncapi.yaml is what consumers code against: every event the
 * pipeline emits — golden-record changes of each kind and the source
 * changes it captured — must validate against the payload schemas there.
 */
const doc = parse(readFileSync(new URL('../../docs/asyncapi.yaml', import.meta.url), 'utf8'));
const ajv = new Ajv2020({ allErrors: true, strict: false });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validator = (name: string) => ajv.compile(doc.components.schemas[name]);

describe('docs/asyncapi.yaml', () => {
  let db: EmbeddedPostgres;
  let pool: pg.Pool;
  const golden: GoldenRecordChanged[] = [];
  const captured: CapturedChange[] = [];

  beforeAll(async () => {
    db = await startEmbeddedPostgres();
    pool = createPool({ connectionString: db.connectionString });
    await seedErpFixture(pool);
    await seedCrmFixture(pool);
    await runInitialLoad(pool, { crm: crmTableReader(pool) });
    await pool.query(`SELECT setval('erp.res_partner_id_seq', (SELECT max(id) FROM erp.res_partner))`);
    const broker = createInProcessBroker({ maxDeliveries: 1, deadLetter: async () => {} });
    const consumer = createMdmConsumer({ pool, publishGolden: async (events) => { golden.push(...events); } });
    await broker.consume(consumer.handle);
    const capture = createErpWatermarkCapture({
      db: pool, schema: 'erp', positions: createPositionStore(pool), pollIntervalMs: 10_000, lookbackMs: 0, batchSize: 100,
      publish: async (changes) => { captured.push(...changes); await broker.publish(changes); },
    });
    await capture.initialise();
    // created, updated, split (a record leaving a shared golden record), deleted
    const { rows } = await pool.query(`INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank) VALUES ('Quayside Coffee Roasters', 'Gent', 1, true, 1) RETURNING id`);
    await capture.pollOnce();
    await pool.query(`UPDATE erp.res_partner SET city = 'Brugge' WHERE id = $1`, [rows[0].id]);
    await capture.pollOnce();
    await pool.query(`UPDATE erp.res_partner SET name = 'Completely Different Holdings', vat = NULL, email = NULL, website = NULL, phone = NULL WHERE id = 1`);
    await capture.pollOnce();
    await pool.query(`UPDATE erp.res_partner SET active = false WHERE id = $1`, [rows[0].id]);
    await capture.pollOnce();
  });

  afterAll(async () => {
    await pool?.end();
    await db?.stop();
  });

  it('is an AsyncAPI 3.0 document with a channel per subject the pipeline publishes on', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(Object.values(doc.channels).map((c: any) => c.address).sort()).toEqual(['concord.cdc.{system}.{partition}', 'concord.golden.customer', 'concord.golden.product']);
  });

  it('describes every golden-record change the pipeline emitted', () => {
    expect(new Set(golden.map((e) => e.kind))).toEqual(new Set(['created', 'updated', 'split', 'deleted']));
    const validate = validator('GoldenRecordChanged');
    for (const event of golden) expect(validate(event), `${JSON.stringify(event)}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  });

  it('describes every source change the pipeline captured', () => {
    expect(captured.length).toBeGreaterThanOrEqual(4);
    const validate = validator('SourceRecordChanged');
    for (const change of captured) expect(validate(change), `${JSON.stringify(change)}: ${ajv.errorsText(validate.errors)}`).toBe(true);
  });

  it('rejects an event that breaks the contract (the schemas are not vacuous)', () => {
    const validate = validator('GoldenRecordChanged');
    expect(validate({ ...golden[0], kind: 'renamed' })).toBe(false);
    expect(validate({ ...golden[0], masterId: undefined })).toBe(false);
  });
});
