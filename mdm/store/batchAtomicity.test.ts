import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { customerConfig } from '../entities/index.js';
import { migrateMdm } from '../load/initialLoad.js';
import { standardiseRecord } from '../standardise/index.js';
import { runBatchMatch } from './runBatch.js';
import { upsertSourceRecords } from './sourceRecords.js';

// The PostgreSQL server rolls back a transaction whose client process dies;
// the embedded PGlite shares one session across connections, so a killed
// client there is a different failure mode and is not what this test is about.
const postgres = (await databaseTargets()).find((t) => t.name === 'postgres')!;
const killer = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'testing', 'killDuringBatch.ts');

describe('a batch match killed half-way', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    if (postgres.unavailable) return;
    db = await postgres.create();
    pool = createPool({ connectionString: db.url, max: 2 });
    await migrateMdm(pool);
    // 5,000 distinct companies: the batch writes them in several chunks.
    const records = Array.from({ length: 5000 }, (_, i) => standardiseRecord(
      { entityType: 'customer', system: 'erp', sourceId: String(i + 1), attributes: { name: `Company ${i + 1}`, taxId: `BE${String(1000000 + i)}` } },
      customerConfig.attributes,
    ));
    await upsertSourceRecords(pool, records);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it.skipIf(!!postgres.unavailable)('leaves no golden record, xref row or history event behind, and the next run completes', async () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', killer, db.url], { encoding: 'utf8', timeout: 120_000 });
    expect(child.signal).toBe('SIGKILL');
    const count = async (table: string) => (await pool.query(`SELECT count(*)::int AS n FROM mdm.${table}`)).rows[0].n;
    // The server notices the dead client and rolls its transaction back.
    for (let i = 0; i < 50 && (await pool.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`)).rows[0].n > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect([await count('golden_record'), await count('xref'), await count('history')]).toEqual([0, 0, 0]);
    const summary = await runBatchMatch(pool, 'customer', { mode: 'deterministic' });
    expect(summary).toMatchObject({ records: 5000, created: 5000 });
    expect(await count('xref')).toBe(5000);
  });
});
