import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { crmTableReader, runInitialLoad } from '../load/initialLoad.js';
import { seedCrmFixture, seedErpFixture } from '../testing/fixtures.js';
import { applySourceChanges, type SourceChange } from './applySourceChange.js';
import { undoHistoryEvent } from './stewardship.js';

const postgres = (await databaseTargets()).find((t) => t.name === 'postgres')!;

/**
 * Several source changes in one transaction (what the CDC consumer does
 * under load) must come out as if applied one after the other: in order,
 * each with its own history event that a steward can undo, exactly once by
 * event id (within the batch too), and all or nothing.
 */
describe.skipIf(Boolean(postgres.unavailable))('applySourceChanges: a batch in one transaction', () => {
  let database: TestDatabase;
  let pool: pg.Pool;

  beforeAll(async () => {
    database = await postgres.create();
    pool = createPool({ connectionString: database.url });
    await seedErpFixture(pool);
    await seedCrmFixture(pool);
    await runInitialLoad(pool, { crm: crmTableReader(pool) });
  });

  afterAll(async () => {
    await pool?.end();
    await database?.drop();
  });

  const upsert = (eventId: string, sourceId: string, attributes: Record<string, string>, updatedAt: string): SourceChange => ({
    eventId, entityType: 'customer', system: 'erp', sourceId, op: 'upsert', updatedAt,
    record: { entityType: 'customer', system: 'erp', sourceId, attributes, updatedAt },
  });
  const goldenNameOf = async (sourceId: string) => (await pool.query(
    `SELECT g.attributes->>'name' AS name, g.master_id FROM mdm.xref x JOIN mdm.golden_record g ON g.master_id = x.master_id
      WHERE x.entity_type = 'customer' AND x.system = 'erp' AND x.source_id = $1`, [sourceId])).rows[0] as { name: string; master_id: string } | undefined;
  const historyCount = async () => (await pool.query(`SELECT count(*)::int AS n FROM mdm.history WHERE actor = 'cdc:erp'`)).rows[0].n as number;

  it('applies changes in order with one history event each, counts a repeated event id in the batch as a replay, and a steward can undo one of them', async () => {
    const created = upsert('erp:res_partner:9001:a', '9001', { name: 'Kestrel Avionics GmbH', city: 'Bremen' }, '2026-12-02T10:00:00Z');
    const renamed = upsert('erp:res_partner:9001:b', '9001', { name: 'Kestrel Avionics Systems GmbH', city: 'Bremen' }, '2026-12-02T10:00:05Z');
    const other = upsert('erp:res_partner:9002:a', '9002', { name: 'Ostwind Segelmacher KG', city: 'Kiel' }, '2026-12-02T10:00:01Z');
    const broken = upsert('erp:res_partner:9003:a', '9003', { name: 'Grauwerk Ltd', city: 'Leeds', primaryEmail: 'sales(at)grauwerk' }, '2026-12-02T10:00:02Z');
    const history = await historyCount();
    const results = await applySourceChanges(pool, [created, other, renamed, created, broken]);
    expect(results.map((r) => r.status)).toEqual(['applied', 'applied', 'applied', 'replayed', 'quarantined']);
    expect(results[3].goldenChanges).toEqual(results[0].goldenChanges);
    expect(results[0].goldenChanges.map((c) => c.kind)).toEqual(['created']);
    expect((await goldenNameOf('9001'))?.name).toBe('Kestrel Avionics Systems GmbH');
    expect((await goldenNameOf('9002'))?.name).toBe('Ostwind Segelmacher KG');
    expect(await goldenNameOf('9003')).toBeUndefined();
    expect(await historyCount()).toBe(history + 3);
    const processed = await pool.query(`SELECT event_id, outcome, history_id::text AS history_id FROM mdm.processed_event WHERE source_id IN ('9001', '9002', '9003') ORDER BY event_id`);
    expect(processed.rows.map((r) => [r.event_id, r.outcome])).toEqual([
      ['erp:res_partner:9001:a', 'applied'], ['erp:res_partner:9001:b', 'applied'], ['erp:res_partner:9002:a', 'applied'], ['erp:res_partner:9003:a', 'quarantined'],
    ]);
    expect(processed.rows[1].history_id).toBe(results[2].historyId);

    // Delivered again as a whole: nothing changes.
    const again = await applySourceChanges(pool, [created, other, renamed, broken]);
    expect(again.map((r) => r.status)).toEqual(['replayed', 'replayed', 'replayed', 'replayed']);
    expect(await historyCount()).toBe(history + 3);

    // The rename's own history event undoes just the rename.
    await undoHistoryEvent(pool, results[2].historyId!, { actor: 'steward-test' });
    expect((await goldenNameOf('9001'))?.name).toBe('Kestrel Avionics GmbH');
  });

  it('is all or nothing: a change that fails takes the whole batch back', async () => {
    const fine = upsert('erp:res_partner:9010:a', '9010', { name: 'Lindqvist Fjärrvärme AB', city: 'Umeå' }, '2026-12-02T11:00:00Z');
    const bad: SourceChange = { eventId: 'erp:res_partner:9011:a', entityType: 'customer', system: 'erp', sourceId: '9011', op: 'upsert' };
    const history = await historyCount();
    await expect(applySourceChanges(pool, [fine, bad])).rejects.toThrow(/upsert without a record/);
    expect(await goldenNameOf('9010')).toBeUndefined();
    expect((await pool.query(`SELECT count(*)::int AS n FROM mdm.processed_event WHERE event_id = ANY($1::text[])`, [[fine.eventId, bad.eventId]])).rows[0].n).toBe(0);
    expect(await historyCount()).toBe(history);
    // Alone, the good one applies.
    expect((await applySourceChanges(pool, [fine]))[0].status).toBe('applied');
  });
});
