import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { seedSandbox } from '../../sandbox/seed/index.js';
import type { Cluster } from '../cluster/index.js';
import { entityConfig } from '../entities/index.js';
import { pairwiseAccuracy } from '../evaluate/index.js';
import { crmTableReader, migrateMdm } from '../load/initialLoad.js';
import { readCrmCustomers } from '../load/crmReader.js';
import { readErpCustomers } from '../load/erpReader.js';
import { termCounts } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { sourceKey, type SourceRecord } from '../types.js';
import { matchManyIn, newMatchOneTransactionCache } from './matchMany.js';
import { matchOne } from './matchOne.js';
import { runBatchMatch } from './runBatch.js';
import { upsertSourceRecords } from './sourceRecords.js';

const targets = await databaseTargets();

/**
 * Set-wise matching (what the change-capture consumer runs for a batch of
 * changes) against one record at a time: the same clusters, the same term
 * counts, one history event per record, and a small fraction of the
 * statements. Seed companies from the ERP and the CRM, every 5th held out
 * from the first batch: the held-out ones include duplicates of each other
 * (matched one after the other inside the call) and of stored records.
 */
describe.each(targets)('matchManyIn decides as matchOne does, set-wise, on $name', (target) => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let records: SourceRecord[];
  let heldOut: SourceRecord[];
  // The server takes the seed's default size; PGlite, several times slower, a smaller one.
  const companies = target.name === 'postgres' ? 800 : 200;

  beforeAll(async () => {
    if (target.unavailable) return;
    db = await target.create();
    pool = createPool({ connectionString: db.url, max: 2 });
    await seedSandbox(pool, { seed: 42, companies });
    records = [...await readErpCustomers(pool), ...await readCrmCustomers(crmTableReader(pool))];
    heldOut = records.filter((_, i) => i % 5 === 2);
  }, 240_000);
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  async function freshStore(): Promise<void> {
    await pool.query('DROP SCHEMA IF EXISTS mdm CASCADE');
    await pool.query(`DELETE FROM public.concord_migrations WHERE set_name = 'mdm'`);
    await migrateMdm(pool);
    const config = entityConfig('customer');
    const held = new Set(heldOut.map((r) => sourceKey(r.system, r.sourceId)));
    await upsertSourceRecords(pool, records.filter((r) => !held.has(sourceKey(r.system, r.sourceId))).map((r) => standardiseRecord(r, config.attributes)));
    await runBatchMatch(pool, 'customer', { actor: 'batch' });
  }

  async function state() {
    const { rows } = await pool.query(`SELECT system, source_id, master_id FROM mdm.xref WHERE entity_type = 'customer'`);
    const byMaster = new Map<string, string[]>();
    for (const r of rows) (byMaster.get(r.master_id) ?? byMaster.set(r.master_id, []).get(r.master_id)!).push(sourceKey(r.system, r.source_id));
    const clusters: Cluster[] = [...byMaster.values()].map((members) => ({ members: members.sort(), links: {} }));
    const counts = (await pool.query(`SELECT attribute, value, records FROM mdm.term_frequency WHERE entity_type = 'customer'`)).rows
      .map((r) => `${r.attribute}\u0000${r.value}\u0000${r.records}`).sort();
    const history = (await pool.query(`SELECT count(*)::int AS n FROM mdm.history WHERE actor = 'incremental'`)).rows[0].n as number;
    const golden = (await pool.query(`SELECT g.attributes->>'name' AS name, x.system, x.source_id FROM mdm.xref x JOIN mdm.golden_record g USING (master_id) WHERE x.entity_type = 'customer'`)).rows
      .map((r) => `${r.system}:${r.source_id}\u0000${r.name}`).sort();
    return { clusters, counts, history, golden, masterOf: new Map(rows.map((r) => [sourceKey(r.system, r.source_id), r.master_id as string])) };
  }

  /** Counts the statements a client sends (BEGIN, the lock and COMMIT included). */
  function counting(client: pg.PoolClient): { client: pg.PoolClient; statements: () => number } {
    let statements = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => { statements++; return query(...args); };
    return { client, statements: () => statements };
  }

  it.skipIf(!!target.unavailable)('same clusters, counts and golden names as one record at a time, one history event per record, in a fraction of the statements', async () => {
    await freshStore();
    // matchOne takes a pooled client per call: each client is counted once, however often the pool hands it out.
    const counted = new Map<pg.PoolClient, () => number>();
    const originalConnect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
    (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = async () => {
      const client = await originalConnect();
      if (!counted.has(client)) counted.set(client, counting(client).statements);
      return client;
    };
    try {
      for (const r of heldOut) await matchOne(pool, r, { actor: 'incremental' });
    } finally {
      (pool as unknown as { connect: () => Promise<pg.PoolClient> }).connect = originalConnect;
    }
    const oneByOne = [...counted.values()].reduce((sum, statements) => sum + statements(), 0);
    for (const client of counted.keys()) delete (client as unknown as { query?: unknown }).query; // the prototype's query again
    const expected = await state();

    await freshStore();
    const { client, statements } = counting(await pool.connect());
    let setWise = 0;
    try {
      const cache = newMatchOneTransactionCache();
      for (let i = 0; i < heldOut.length; i += 100) {
        await client.query('BEGIN');
        await client.query(`SELECT pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`);
        const group = heldOut.slice(i, i + 100);
        const results = await matchManyIn(client, group, { actor: 'incremental', cache });
        expect(results.map((r) => r.historyId).every((id) => /^\d+$/.test(id))).toBe(true);
        expect(new Set(results.map((r) => r.historyId)).size).toBe(group.length);
        await client.query('COMMIT');
      }
      setWise = statements();
    } finally {
      client.release();
    }
    const actual = await state();

    const agreement = pairwiseAccuracy(actual.clusters, (key) => expected.masterOf.get(key) ?? key);
    console.info(`[matchManyIn] ${target.name}: ${heldOut.length} held-out companies; agreement with one at a time f1=${agreement.f1.toFixed(4)}; statements ${oneByOne} one at a time, ${setWise} set-wise`);
    expect(agreement.f1).toBe(1);
    expect(actual.clusters.length).toBe(expected.clusters.length);
    expect(actual.golden).toEqual(expected.golden);
    expect(actual.history).toBe(heldOut.length);
    expect(expected.history).toBe(heldOut.length);
    // The counts are the batch's counts over every record, kept current set-wise.
    const config = entityConfig('customer');
    const wanted = [...termCounts(records.map((r) => standardiseRecord(r, config.attributes)), config.comparisons)]
      .flatMap(([a, t]) => [...t.counts].map(([v, n]) => `${a}\u0000${v}\u0000${n}`)).sort();
    expect(actual.counts).toEqual(wanted);
    expect(expected.counts).toEqual(wanted);
    expect(setWise).toBeLessThan(oneByOne / 5);
  }, 600_000);
});
