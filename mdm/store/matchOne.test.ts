import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import type { Cluster } from '../cluster/index.js';
import { customerConfig, entityConfig, personConfig } from '../entities/index.js';
import { pairwiseAccuracy, readFebrlFile } from '../evaluate/index.js';
import { testDataFile } from '../testing/data.js';
import { crmTableReader, migrateMdm, runInitialLoad } from '../load/initialLoad.js';
import { readCrmCustomers } from '../load/crmReader.js';
import { readErpCustomers } from '../load/erpReader.js';
import { seedSandbox } from '../../sandbox/seed/index.js';
import type { SourceRecord } from '../types.js';
import { matchRecords } from '../match/index.js';
import { scorePair, termCounts, termFrequencies } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { seedCrmFixture, seedErpFixture } from '../testing/fixtures.js';
import { sourceKey } from '../types.js';
import { listHistory } from './history.js';
import { matchOne } from './matchOne.js';
import { queueCandidates, runBatchMatch } from './runBatch.js';
import { upsertSourceRecords } from './sourceRecords.js';
import { listReviewQueue, mergeGoldenRecords, rejectCandidate, undoHistoryEvent } from './stewardship.js';

const targets = await databaseTargets();
const postgres = targets.find((t) => t.name === 'postgres')!;

async function storedClusters(pool: pg.Pool, entityType: string): Promise<Cluster[]> {
  const { rows } = await pool.query('SELECT system, source_id, master_id FROM mdm.xref WHERE entity_type = $1', [entityType]);
  const byMaster = new Map<string, string[]>();
  for (const r of rows) (byMaster.get(r.master_id) ?? byMaster.set(r.master_id, []).get(r.master_id)!).push(sourceKey(r.system, r.source_id));
  return [...byMaster.values()].map((members) => ({ members: members.sort(), links: {} }));
}

/**
 * The batch over every record against: the batch over all but the held-out
 * records, then matchOne for each held-out record. Returns both accuracies
 * against the truth and the agreement of the two clusterings.
 */
async function holdOutAndMatch(pool: pg.Pool, records: SourceRecord[], truth: Map<string, string>, heldOut: Set<string>) {
  const entityType = records[0].entityType;
  const config = entityConfig(entityType);
  const truthOf = (key: string) => truth.get(key) ?? key;
  const batchAll = matchRecords(records, config);
  const batchAccuracy = pairwiseAccuracy(batchAll.clusters, truthOf);
  const clusterOf = new Map<string, string>();
  batchAll.clusters.forEach((c, i) => c.members.forEach((k) => clusterOf.set(k, String(i))));

  const keyOf = (r: SourceRecord) => sourceKey(r.system, r.sourceId);
  await upsertSourceRecords(pool, records.filter((r) => !heldOut.has(keyOf(r))).map((r) => standardiseRecord(r, config.attributes)));
  const summary = await runBatchMatch(pool, entityType, { actor: 'batch' });
  const outcomes: Record<string, number> = {};
  const started = performance.now();
  for (const r of records.filter((r) => heldOut.has(keyOf(r)))) {
    const result = await matchOne(pool, r, { actor: 'incremental' });
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
  }
  const perRecordMs = (performance.now() - started) / heldOut.size;
  const incremental = await storedClusters(pool, entityType);
  const incrementalAccuracy = pairwiseAccuracy(incremental, truthOf);
  const agreement = pairwiseAccuracy(incremental, (key) => clusterOf.get(key) ?? key);
  const f = (a: { f1: number; precision: number; recall: number }) => `f1=${a.f1.toFixed(4)} (p=${a.precision.toFixed(4)} r=${a.recall.toFixed(4)})`;
  console.info(`[matchOne] ${entityType}: batch over ${records.length} ${f(batchAccuracy)}; batch over ${records.length - heldOut.size} (${summary.mode}) + ${heldOut.size} matchOne ${f(incrementalAccuracy)}; `
    + `agreement with the batch's clusters ${f(agreement)}; outcomes ${JSON.stringify(outcomes)}; ${perRecordMs.toFixed(1)} ms per matchOne`);
  return { batchAccuracy, incrementalAccuracy, agreement, summary };
}

// Batches over thousands of records and hundreds of matchOne calls: on the
// server only (PGlite is several times slower; the ruling tests below run on both).
describe('incremental matching decides as the batch does (PostgreSQL)', () => {
  let db: TestDatabase;
  let pool: pg.Pool;
  beforeAll(async () => {
    if (postgres.unavailable) return;
    db = await postgres.create();
    pool = createPool({ connectionString: db.url, max: 2 });
    await migrateMdm(pool);
  });
  beforeEach(async () => {
    if (postgres.unavailable) return;
    await pool.query('DROP SCHEMA IF EXISTS mdm CASCADE');
    await pool.query(`DELETE FROM public.concord_migrations WHERE set_name = 'mdm'`);
    await migrateMdm(pool);
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it.skipIf(!!postgres.unavailable)('FEBRL dataset2: 350 held-out persons matched one at a time give the batch\'s accuracy and clusters', async () => {
    const input = await readFebrlFile(testDataFile('febrl', 'dataset2.csv'));
    // Held out: every 4th duplicate and every 40th original, in file order.
    let dups = 0; let orgs = 0;
    const heldOut = new Set(input.records.filter((r) => (r.sourceId.includes('-dup-') ? dups++ % 4 === 0 : orgs++ % 40 === 0)).map((r) => sourceKey(r.system, r.sourceId)));
    const { batchAccuracy, incrementalAccuracy, agreement, summary } = await holdOutAndMatch(pool, input.records, input.truth, heldOut);
    expect(summary.mode).toBe('model');
    expect(Math.abs(incrementalAccuracy.f1 - batchAccuracy.f1)).toBeLessThanOrEqual(0.01);
    expect(agreement.f1).toBeGreaterThanOrEqual(0.98);

    // Exactly the batch's weights: held-out records sent again are scored with the stored model and the term frequencies of every record.
    const model = (await pool.query(`SELECT model FROM mdm.model WHERE entity_type = 'person'`)).rows[0].model;
    const all = new Map(input.records.map((r) => [sourceKey(r.system, r.sourceId), standardiseRecord(r, personConfig.attributes)]));
    const tf = termFrequencies([...all.values()], personConfig.comparisons);
    const resent = input.records.filter((r) => heldOut.has(sourceKey(r.system, r.sourceId)) && r.sourceId.includes('-dup-')).slice(0, 20);
    let compared = 0;
    for (const r of resent) {
      const again = await matchOne(pool, r);
      expect(again.outcome).toBe('unchanged');
      for (const d of again.decisions) {
        expect(d.weight).toBeCloseTo(scorePair(all.get(d.left)!, all.get(d.right)!, model, personConfig, tf).weight, 9);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(15);

    // The stored counts are the batch's counts over every record, kept current one record at a time.
    const expected = termCounts(input.records.map((r) => standardiseRecord(r, personConfig.attributes)), personConfig.comparisons);
    const { rows } = await pool.query(`SELECT attribute, value, records FROM mdm.term_frequency WHERE entity_type = 'person'`);
    const stored = new Map<string, number>(rows.map((r) => [`${r.attribute}\u0000${r.value}`, r.records]));
    const wanted = new Map<string, number>([...expected].flatMap(([a, t]) => [...t.counts].map(([v, n]) => [`${a}\u0000${v}`, n] as [string, number])));
    expect(stored).toEqual(wanted);
  }, 180_000);

  it.skipIf(!!postgres.unavailable)('seed companies (ERP and CRM): every 5th held out and matched one at a time gives the batch\'s accuracy and clusters', async () => {
    await seedSandbox(pool, { seed: 42, companies: Number(process.env.SEED_COMPANIES ?? 800) });
    const records = [...await readErpCustomers(pool), ...await readCrmCustomers(crmTableReader(pool))];
    const truth = new Map<string, string>((await pool.query(`SELECT system, source_id, truth_id FROM truth.entity WHERE entity_type = 'customer'`)).rows
      .map((r) => [sourceKey(r.system, r.source_id), String(r.truth_id)]));
    const heldOut = new Set(records.filter((_, i) => i % 5 === 2).map((r) => sourceKey(r.system, r.sourceId)));
    const { batchAccuracy, incrementalAccuracy, agreement, summary } = await holdOutAndMatch(pool, records, truth, heldOut);
    expect(summary.mode).toBe('model');
    expect(Math.abs(incrementalAccuracy.f1 - batchAccuracy.f1)).toBeLessThanOrEqual(0.01);
    expect(agreement.f1).toBeGreaterThanOrEqual(0.98);
  }, 180_000);
});

describe.each(targets)('matchOne and the stewards\' rulings on $name', (target) => {
  let db: TestDatabase;
  let pool: pg.Pool;
  const steward = { actor: 'steward@example.com', reason: 'test' };
  const masterOf = async (key: string) => {
    const [system, sourceId] = key.split(':');
    return (await pool.query(`SELECT master_id FROM mdm.xref WHERE entity_type = 'customer' AND system = $1 AND source_id = $2`, [system, sourceId])).rows[0]?.master_id as string;
  };
  const crmCompany = (id: string, attributes: Record<string, string | null>) => ({ entityType: 'customer', system: 'crm', sourceId: id, attributes });

  beforeAll(async () => {
    if (target.unavailable) return;
    db = await target.create();
    pool = createPool({ connectionString: db.url, max: 4 });
    await seedErpFixture(pool);
    await seedCrmFixture(pool);
  });
  beforeEach(async () => {
    if (target.unavailable) return;
    await pool.query('DROP SCHEMA IF EXISTS mdm CASCADE');
    await pool.query(`DELETE FROM public.concord_migrations WHERE set_name = 'mdm'`);
    await runInitialLoad(pool, { actor: 'loader', crm: crmTableReader(pool) });
  });
  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it.skipIf(!!target.unavailable)('a rejected pair is not merged by matchOne: the record leaves the master it shared, and a new record stays apart', async () => {
    const bolt = await masterOf('erp:2');
    expect(await masterOf('crm:102')).toBe(bolt);
    await queueCandidates(pool, customerConfig, [{ left: 'erp:2', right: 'crm:102', weight: 1, probability: 0.7, outcome: 'review', contributions: [] }]);
    await rejectCandidate(pool, (await listReviewQueue(pool, { entityType: 'customer' })).nodes[0].id, steward);
    const again = await matchOne(pool, crmCompany('102', { name: 'Bolt and Nut', domain: 'www.boltnut.be', phone: '02 555 12 34', city: 'Brussels', country: 'Belgium' }));
    expect(again).toMatchObject({ outcome: 'created', previousMasterId: bolt });
    expect(await masterOf('erp:2')).toBe(bolt);
    expect(await matchOne(pool, crmCompany('102', { name: 'Bolt and Nut', domain: 'www.boltnut.be' }))).toMatchObject({ outcome: 'unchanged', masterId: again.masterId });

    // A record ruled apart from a master does not join it when it changes to match it.
    const first = await matchOne(pool, crmCompany('997', { name: 'Zenith Tools SA', domain: 'zenith.example' }));
    expect(first.outcome).toBe('created');
    await queueCandidates(pool, customerConfig, [{ left: 'erp:3', right: 'crm:997', weight: 1, probability: 0.7, outcome: 'review', contributions: [] }]);
    await rejectCandidate(pool, (await listReviewQueue(pool, { entityType: 'customer' })).nodes[0].id, steward);
    const zenith = await matchOne(pool, crmCompany('997', { name: 'Zenith Tools SA', domain: 'zenith-tools.be', city: 'Bruxelles' }));
    expect(zenith).toMatchObject({ outcome: 'unchanged', masterId: first.masterId, decisions: [] });
    expect(await masterOf('erp:3')).not.toBe(first.masterId);
    // A third record matching both joins one of them, never both: the ruling holds through it.
    const third = await matchOne(pool, crmCompany('996', { name: 'Zenith Tools SA', domain: 'zenith-tools.be', city: 'Bruxelles' }));
    expect(third.outcome).toBe('linked');
    expect(third.decisions.map((d) => d.right).sort()).toEqual(['crm:997', 'erp:3']);
    expect(await masterOf('erp:3')).not.toBe(await masterOf('crm:997'));
    expect([await masterOf('erp:3'), await masterOf('crm:997')]).toContain(third.masterId);
  });


  it.skipIf(!!target.unavailable)('undoing an incremental merge restores the master exactly, gives the arrived record a master of its own, and is remembered', async () => {
    const acme = await masterOf('erp:1');
    const rows = async (sql: string, params: unknown[]) => (await pool.query(sql, params)).rows;
    const acmeState = () => Promise.all([
      rows('SELECT * FROM mdm.golden_record WHERE master_id = $1', [acme]),
      rows('SELECT * FROM mdm.xref WHERE master_id = $1 ORDER BY system, source_id', [acme]),
    ]);
    const rulings = () => rows(`SELECT left_system || ':' || left_id AS l, right_system || ':' || right_id AS r, decision FROM mdm.steward_decision ORDER BY 1, 2`, []);
    const acmeBefore = await acmeState();
    expect(await rulings()).toEqual([]);

    const arrival = crmCompany('995', { name: 'Acme Industries GmbH', domain: 'acme-industries.de', city: 'Berlin' });
    const linked = await matchOne(pool, arrival, { actor: 'crm-sync' });
    expect(linked).toMatchObject({ outcome: 'linked', masterId: acme });
    const [event] = await listHistory(pool, { masterId: acme, limit: 1 });
    expect(event).toMatchObject({ action: 'update', actor: 'crm-sync' });
    const acmeLinked = await acmeState();
    expect(acmeLinked[1].map((x) => `${x.system}:${x.source_id}`)).toEqual(['crm:101', 'crm:995', 'erp:1']);

    const undo = await undoHistoryEvent(pool, event.id, steward);
    expect(undo.event.action).toBe('undo');
    expect(await acmeState()).toEqual(acmeBefore);
    const own = await masterOf('crm:995');
    expect(own).not.toBe(acme);
    expect(undo.masterIds).toContain(own);
    expect((await rows('SELECT active, attributes, provenance FROM mdm.golden_record WHERE master_id = $1', [own]))[0])
      .toMatchObject({ active: true, attributes: { name: 'Acme Industries GmbH', domain: 'acme-industries.de' }, provenance: { name: { system: 'crm', sourceId: '995' } } });
    expect(await rulings()).toEqual([
      { l: 'crm:101', r: 'crm:995', decision: 'never_merge' },
      { l: 'crm:995', r: 'erp:1', decision: 'never_merge' },
    ]);
    // The next change to the record does not redo what the steward undid.
    expect(await matchOne(pool, { ...arrival, attributes: { ...arrival.attributes, phone: '+49 30 1234567' } })).toMatchObject({ outcome: 'unchanged', masterId: own });

    // Undoing the undo (once the record's later change is undone too) restores the merged state, rulings gone.
    const [later] = await listHistory(pool, { masterId: own, limit: 1 });
    await expect(undoHistoryEvent(pool, undo.event.id, steward)).rejects.toMatchObject({ code: 'MDM_CONFLICT' });
    await undoHistoryEvent(pool, later.id, steward);
    await undoHistoryEvent(pool, undo.event.id, steward);
    expect(await acmeState()).toEqual(acmeLinked);
    expect(await rulings()).toEqual([]);
    expect((await rows('SELECT 1 FROM mdm.golden_record WHERE master_id = $1', [own])).length).toBe(0);
  });

  it.skipIf(!!target.unavailable)('undoing an incremental split puts the record back and keeps it there', async () => {
    const acme = await masterOf('erp:1');
    const globex = crmCompany('101', { name: 'Globex Corporation', domain: 'globex.example', city: 'Springfield', country: 'United States' });
    const moved = await matchOne(pool, globex);
    expect(moved).toMatchObject({ outcome: 'created', previousMasterId: acme });
    const [split] = await listHistory(pool, { masterId: acme, limit: 1 });
    expect(split.action).toBe('split');
    await undoHistoryEvent(pool, split.id, steward);
    expect(await masterOf('crm:101')).toBe(acme);
    expect((await pool.query('SELECT active FROM mdm.golden_record WHERE master_id = $1', [moved.masterId])).rows).toEqual([]);
    expect((await pool.query(`SELECT decision FROM mdm.steward_decision WHERE left_system = 'crm' AND left_id = '101' AND right_system = 'erp' AND right_id = '1'`)).rows)
      .toEqual([{ decision: 'always_merge' }]);
    expect(await matchOne(pool, globex)).toMatchObject({ outcome: 'unchanged', masterId: acme });
  });

  it.skipIf(!!target.unavailable)('a batch run\'s event cannot be undone: the error points to unmerge', async () => {
    const [loaded] = await listHistory(pool, { limit: 1 });
    expect(loaded.actor).toBe('loader');
    await expect(undoHistoryEvent(pool, loaded.id, steward)).rejects.toMatchObject({ code: 'MDM_CONFLICT', message: expect.stringContaining('unmergeSourceRecord') });
  });

  it.skipIf(!!target.unavailable)('a forced merge holds when matchOne sees its record again', async () => {
    const zenith = await masterOf('erp:3');
    await mergeGoldenRecords(pool, [zenith, await masterOf('crm:103')], steward);
    const result = await matchOne(pool, crmCompany('103', { name: 'Northwind Traders', domain: 'northwind.example', city: 'London', country: 'United Kingdom' }));
    expect(result).toMatchObject({ outcome: 'unchanged', masterId: zenith });
  });

  it.skipIf(!!target.unavailable)('a changed source record is re-standardised and re-evaluated: it moves out of a golden record it no longer matches, with history', async () => {
    const acme = await masterOf('erp:1');
    expect(await masterOf('crm:101')).toBe(acme);
    const moved = await matchOne(pool, crmCompany('101', { name: 'Globex Corporation', domain: 'globex.example', city: 'Springfield', country: 'United States' }), { actor: 'crm-sync' });
    expect(moved).toMatchObject({ outcome: 'created', previousMasterId: acme });
    expect(await masterOf('erp:1')).toBe(acme);
    expect(await masterOf('crm:101')).toBe(moved.masterId);
    const golden = (await pool.query('SELECT attributes, active FROM mdm.golden_record WHERE master_id = $1', [moved.masterId])).rows[0];
    expect(golden).toMatchObject({ active: true, attributes: { name: 'Globex Corporation', domain: 'globex.example' } });

    const [event] = await listHistory(pool, { masterId: acme, limit: 1 });
    expect(event).toMatchObject({ actor: 'crm-sync', action: 'split' });
    const members = (snapshot: unknown, id: string) => (snapshot as { xref: { master_id: string; system: string; source_id: string }[] }).xref
      .filter((x) => x.master_id === id).map((x) => `${x.system}:${x.source_id}`).sort();
    expect(members(event.before, acme)).toEqual(['crm:101', 'erp:1']);
    expect(members(event.after, acme)).toEqual(['erp:1']);
    expect(members(event.after, moved.masterId)).toEqual(['crm:101']);

    // Changed back, it matches again and rejoins the master it left.
    const back = await matchOne(pool, crmCompany('101', { name: 'ACME INDUSTRIES', domain: 'acme-industries.de', taxId: 'DE 136 695 976', city: 'Berlin' }));
    expect(back).toMatchObject({ outcome: 'linked', masterId: acme, previousMasterId: moved.masterId });
    expect((await pool.query('SELECT active FROM mdm.golden_record WHERE master_id = $1', [moved.masterId])).rows[0].active).toBe(false);
  });
});
