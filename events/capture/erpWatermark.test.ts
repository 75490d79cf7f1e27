import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { crmTableReader, runInitialLoad } from '../../mdm/load/initialLoad.js';
import { seedCrmFixture, seedErpFixture } from '../../mdm/testing/fixtures.js';
import { undoHistoryEvent } from '../../mdm/store/stewardship.js';
import type { GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { createInProcessBroker } from '../broker/inProcess.js';
import type { CapturedChange } from '../change.js';
import { createMdmConsumer } from '../consumer/mdmConsumer.js';
import { createPositionStore } from '../store/positions.js';
import { createErpWatermarkCapture } from './erpWatermark.js';

const targets = await databaseTargets();

for (const target of targets) {
  describe.skipIf(Boolean(target.unavailable))(`ERP capture by watermark into the MDM on ${target.name}`, () => {
    let db: TestDatabase;
    let pool: pg.Pool;
    const golden: GoldenRecordChanged[] = [];
    const published: CapturedChange[] = [];
    let failWatermarkWrites = false;
    let insertedId = '';

    const makeCapture = () => {
      const broker = createInProcessBroker({ maxDeliveries: 2, deadLetter: async () => {} });
      const consumer = createMdmConsumer({ pool, publishGolden: async (events) => { golden.push(...events); } });
      void broker.consume(consumer.handle);
      const positions = createPositionStore(pool);
      return createErpWatermarkCapture({
        db: pool, schema: 'erp', pollIntervalMs: 10_000, lookbackMs: 60_000, batchSize: 100,
        positions: { ...positions, write: async (s, p) => { if (failWatermarkWrites) throw new Error('disk full'); await positions.write(s, p); } },
        publish: async (changes) => { published.push(...changes); await broker.publish(changes); },
      });
    };
    const goldenOf = async (sourceId: string) => (await pool.query(
      `SELECT g.master_id, g.active, g.attributes->>'name' AS name FROM mdm.xref x JOIN mdm.golden_record g USING (master_id)
        WHERE x.entity_type = 'customer' AND x.system = 'erp' AND x.source_id = $1`, [sourceId])).rows[0];

    beforeAll(async () => {
      db = await target.create();
      pool = createPool({ connectionString: db.url });
      await seedErpFixture(pool);
      await seedCrmFixture(pool);
      await runInitialLoad(pool, { crm: crmTableReader(pool) });
      // The fixture inserts with explicit ids.
      await pool.query(`SELECT setval('erp.res_partner_id_seq', (SELECT max(id) FROM erp.res_partner))`);
    });

    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    it('starts at the newest row the load read, then captures an insert as a new golden customer with one history event', async () => {
      const capture = makeCapture();
      await capture.initialise();
      expect(await capture.pollOnce()).toBe(0);
      const { rows } = await pool.query(
        `INSERT INTO erp.res_partner (name, email, city, country_id, is_company, customer_rank) VALUES ('Ostrander Pumps NV', 'info@ostrander.example', 'Gent', 1, true, 1) RETURNING id`);
      const id = String(rows[0].id);
      insertedId = id;
      expect(await capture.pollOnce()).toBe(1);
      const master = await goldenOf(id);
      expect(master).toMatchObject({ active: true, name: 'Ostrander Pumps NV' });
      expect(golden.at(-1)).toMatchObject({ entity: 'customer', masterId: master.master_id, kind: 'created', cause: { kind: 'source', system: 'ERP', sourceId: id } });
      expect(golden.at(-1)!.changedFields).toContain('name');
      const history = await pool.query(`SELECT actor, action FROM mdm.history WHERE $1 = ANY(master_ids)`, [master.master_id]);
      expect(history.rows).toEqual([{ actor: 'cdc:erp', action: 'update' }]);
    });

    it('follows a rename, announcing the changed field', async () => {
      const capture = makeCapture();
      await capture.initialise();
      const before = await goldenOf(insertedId);
      await pool.query(`UPDATE erp.res_partner SET name = 'Ostrander Pompen NV' WHERE id = $1`, [insertedId]);
      expect(await capture.pollOnce()).toBeGreaterThanOrEqual(1);
      const master = await goldenOf(insertedId);
      // Its only source record is the ERP's: the golden record keeps its id and takes the new name.
      expect(master).toMatchObject({ master_id: before.master_id, name: 'Ostrander Pompen NV' });
      const event = golden.filter((e) => e.masterId === master.master_id).at(-1)!;
      expect(event).toMatchObject({ kind: 'updated', changedFields: ['name'] });
      expect(event.changedFields).toContain('name');
    });

    it('applies a change delivered twice once: the second delivery is a replay that changes nothing', async () => {
      const historyBefore = (await pool.query('SELECT count(*)::int AS n FROM mdm.history')).rows[0].n;
      const last = published.at(-1)!;
      const consumer = createMdmConsumer({ pool, publishGolden: async () => {} });
      await consumer.handle(last, { attempt: 1 });
      expect(consumer.stats()).toMatchObject({ replayed: 1, applied: 0 });
      expect((await pool.query('SELECT count(*)::int AS n FROM mdm.history')).rows[0].n).toBe(historyBefore);
    });

    it('republishes after a crash between publishing and storing the watermark, and the duplicates are absorbed', async () => {
      const capture = makeCapture();
      await capture.initialise();
      await pool.query(`UPDATE erp.res_partner SET city = 'Potsdam' WHERE id = 1`);
      failWatermarkWrites = true;
      await expect(capture.pollOnce()).rejects.toThrow('disk full');
      failWatermarkWrites = false;
      const historyBefore = (await pool.query('SELECT count(*)::int AS n FROM mdm.history')).rows[0].n;
      const restarted = makeCapture();
      await restarted.initialise();
      const before = published.length;
      expect(await restarted.pollOnce()).toBeGreaterThanOrEqual(1);
      const again = published.slice(before);
      expect(again.some((c) => c.sourceId === '1')).toBe(true);
      expect((await pool.query('SELECT count(*)::int AS n FROM mdm.history')).rows[0].n).toBe(historyBefore);
    });

    it('catches a row committed late behind the watermark (write_date older than rows already captured)', async () => {
      const capture = makeCapture();
      await capture.initialise();
      await pool.query(`UPDATE erp.res_partner SET phone = '+49 30 7654321' WHERE id = 1`);
      await capture.pollOnce();
      // A transaction that started 1 s ago commits now: its write_date is behind the watermark.
      const { rows } = await pool.query(
        `INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank, write_date)
         VALUES ('Latecomer Logistics BV', 'Antwerpen', 1, true, 1, (now() AT TIME ZONE 'utc') - interval '1 second') RETURNING id`);
      expect(await capture.pollOnce()).toBe(1);
      expect(await goldenOf(String(rows[0].id))).toMatchObject({ active: true, name: 'Latecomer Logistics BV' });
    });

    it('takes an archived company out of its golden record, and a steward can undo that', async () => {
      const capture = makeCapture();
      await capture.initialise();
      const master = await goldenOf('3');
      await pool.query(`UPDATE erp.res_partner SET active = false WHERE id = 3`);
      await capture.pollOnce();
      expect(await goldenOf('3')).toBeUndefined();
      const state = (await pool.query('SELECT active FROM mdm.golden_record WHERE master_id = $1', [master.master_id])).rows[0];
      expect(state.active).toBe(false);
      expect(golden.at(-1)).toMatchObject({ masterId: master.master_id, kind: 'deleted', changedFields: [] });
      const removal = (await pool.query(`SELECT id::text FROM mdm.history WHERE action = 'remove' AND $1 = ANY(master_ids)`, [master.master_id])).rows[0];
      await undoHistoryEvent(pool, removal.id, { actor: 'steward-sam', reason: 'archived by mistake' });
      expect(await goldenOf('3')).toMatchObject({ master_id: master.master_id, active: true });
    });

    it('quarantines a company whose tax id fails its check digits, and releases it when the ERP corrects it', async () => {
      const capture = makeCapture();
      await capture.initialise();
      const { rows } = await pool.query(
        `INSERT INTO erp.res_partner (name, vat, email, city, country_id, is_company, customer_rank)
         VALUES ('Krummholz Maschinenbau GmbH', 'DE136695977', 'info@krummholz', 'Kassel', 2, true, 1) RETURNING id`);
      const id = String(rows[0].id);
      await capture.pollOnce();
      expect(await goldenOf(id)).toBeUndefined();
      const open = await pool.query(`SELECT rule_code, raw_record->'attributes'->>'taxId' AS tax_id FROM mdm.quarantined_record WHERE source_id = $1 AND released_at IS NULL ORDER BY rule_code`, [id]);
      expect(open.rows).toEqual([{ rule_code: 'INVALID_TAX_ID', tax_id: 'DE136695977' }, { rule_code: 'MALFORMED_EMAIL', tax_id: 'DE136695977' }]);
      await pool.query(`UPDATE erp.res_partner SET email = 'info@krummholz.example' WHERE id = $1`, [id]);
      await capture.pollOnce();
      expect((await pool.query(`SELECT rule_code FROM mdm.quarantined_record WHERE source_id = $1 AND released_at IS NULL`, [id])).rows).toEqual([{ rule_code: 'INVALID_TAX_ID' }]);
      await pool.query(`UPDATE erp.res_partner SET vat = 'DE 811 907 980' WHERE id = $1`, [id]);
      await capture.pollOnce();
      expect((await pool.query(`SELECT count(*)::int AS n FROM mdm.quarantined_record WHERE source_id = $1 AND released_at IS NULL`, [id])).rows[0].n).toBe(0);
      expect(await goldenOf(id)).toMatchObject({ active: true, name: 'Krummholz Maschinenbau GmbH' });
    });
  });
}
