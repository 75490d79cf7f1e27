import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { seedErpFixture } from '../../mdm/testing/fixtures.js';
import type { CapturedChange } from '../change.js';
import { dropErpReplication, lagOf, createErpLogicalReplicationCapture, type ErpReplicationReport } from './erpLogicalReplication.js';

/**
 * The logical-replication capture's lag, on the PostgreSQL server (pgoutput):
 * transactions received from the slot and not yet safely published are its
 * lag in changes, the oldest one's commit time its lag in seconds; both are
 * reported for `concord cdc status`. The broker is held by the test (the
 * publish callback waits) so that a backlog exists while it looks; the
 * transactions that commit meanwhile go to the broker together.
 */
const server = (await databaseTargets()).find((t) => t.name === 'postgres')!;

describe('lag figures', () => {
  it('are zero with nothing pending, else the rows pending and the age of the oldest commit', () => {
    expect(lagOf([], 10_000)).toEqual({ lagSeconds: 0, lagEvents: 0 });
    expect(lagOf([{ commitTime: 4_000, rows: 2 }, { commitTime: 7_000, rows: 3 }], 10_000)).toEqual({ lagSeconds: 6, lagEvents: 5 });
  });
});

describe.skipIf(Boolean(server.unavailable))('the ERP logical-replication capture', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const slot = `lag_${process.pid}_${Date.now()}`;
  const groupSlot = `group_${process.pid}_${Date.now()}`;

  beforeAll(async () => {
    database = await server.create();
    pool = createPool({ connectionString: database.url });
    await seedErpFixture(pool);
    await pool.query(`SELECT setval('erp.res_partner_id_seq', (SELECT max(id) FROM erp.res_partner))`);
  });

  afterAll(async () => {
    await dropErpReplication(pool, `pub_${slot}`, slot).catch(() => {});
    await dropErpReplication(pool, `pub_${groupSlot}`, groupSlot).catch(() => {});
    await pool?.end();
    await database?.drop();
  });

  it('counts the changes received and not yet published, ages the oldest, and returns to zero once they are', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const published: CapturedChange[] = [];
    const reports: ErpReplicationReport[] = [];
    const capture = createErpLogicalReplicationCapture({
      connectionString: database.url, db: pool, schema: 'erp', publication: `pub_${slot}`, slot,
      publish: async (changes) => { await held; published.push(...changes); },
      report: async (report) => { reports.push(report); }, reportIntervalMs: 100,
    });
    await capture.start();
    try {
      // Five transactions of one company each: the first waits in publish, the rest queue behind it.
      for (let n = 0; n < 5; n++) {
        await pool.query(`INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank) VALUES ($1, 'Ulm', 2, true, 1)`, [`Lag Probe ${n} GmbH`]);
      }
      await until(() => capture.status().lagEvents === 5, 'five changes pending');
      await new Promise((r) => setTimeout(r, 300));
      const behind = capture.status();
      expect(behind.lagSeconds).toBeGreaterThanOrEqual(0.3);
      await until(() => reports.at(-1)?.pendingChanges === 5, 'the report of five pending');
      expect(reports.at(-1)).toMatchObject({ slot, pendingChanges: 5 });
      expect(Date.parse(reports.at(-1)!.oldestPendingAt!)).toBeLessThanOrEqual(Date.now() - 300);

      release();
      await until(() => published.length === 5 && capture.status().lagEvents === 0, 'all published and confirmed');
      expect(capture.status().lagSeconds).toBe(0);
      await until(() => reports.at(-1)?.pendingChanges === 0 && reports.at(-1)?.oldestPendingAt === null, 'the report of none pending');
      expect(reports.at(-1)!.confirmedLsn).toBeTruthy();
      expect(Date.parse(reports.at(-1)!.lastCommitAt!)).toBeGreaterThan(Date.now() - 60_000);
    } finally {
      release();
      await capture.stop();
    }
  }, 60_000);

  it('sends the transactions committed while a publish waits in one publish, in commit order, and confirms the slot past the last', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    const calls: CapturedChange[][] = [];
    const capture = createErpLogicalReplicationCapture({
      connectionString: database.url, db: pool, schema: 'erp', publication: `pub_${groupSlot}`, slot: groupSlot,
      publish: async (changes) => { calls.push(changes); if (calls.length === 1) await held; },
    });
    await capture.start();
    try {
      // One transaction each; the first publish waits for the test, the other five commit meanwhile.
      for (let n = 0; n < 6; n++) {
        await pool.query(`INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank) VALUES ($1, 'Ulm', 2, true, 1)`, [`Group Probe ${n} GmbH`]);
      }
      await until(() => calls.length === 1 && capture.status().lagEvents === 6, 'one publish waiting, six transactions pending');
      release();
      await until(() => capture.status().lagEvents === 0, 'all published and confirmed');
      expect(calls.map((c) => c.length)).toEqual([1, 5]);
      expect(calls.flat().map((c) => c.record?.attributes.name)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `Group Probe ${n} GmbH`));
      // Six commits, six LSNs in the event ids; the slot is confirmed past the last of them.
      expect(new Set(calls.flat().map((c) => c.eventId.split(':').at(-1))).size).toBe(6);
      const confirmed = capture.status().position as { confirmedLsn: string };
      const lsnOf = async () => (await pool.query(`SELECT confirmed_flush_lsn >= $2::pg_lsn AS past FROM pg_replication_slots WHERE slot_name = $1`, [groupSlot, confirmed.confirmedLsn])).rows[0]?.past as boolean;
      let past = false;
      for (let i = 0; i < 100 && !past; i++) { past = await lsnOf(); if (!past) await new Promise((r) => setTimeout(r, 100)); }
      expect(past).toBe(true);
    } finally {
      release();
      await capture.stop();
    }
  }, 60_000);
});

async function until(check: () => boolean, what: string, ms = 20_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
