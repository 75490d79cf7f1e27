/**
 * Incremental match latency: `matchOne` (standardise, store, block through
 * mdm.block_key, score with the stored model, link or create, queue, history,
 * one transaction) for one record against N existing masters, on the
 * PostgreSQL server, in a scratch database created and dropped here.
 *
 * Setup: N synthetic persons (bench/mdm-synthetic.ts, the originals) are
 * stored as N singleton golden records with xref, blocking keys and the term
 * frequencies a batch stores; the model is trained as a batch trains it, on
 * a sample of the population: 100,000 originals at most plus the duplicates
 * of those (not the probes). Then P probe records are matched one at a time:
 * half are corrupted duplicates of stored persons (expected: linked to their
 * original's master), half new persons (expected: created). For the
 * duplicates the batch's own decision on the pair (probe, original) with the
 * same model and term frequencies is printed beside matchOne's.
 *
 *   node --max-old-space-size=8000 --import tsx bench/mdm-incremental.ts --masters 1000000 [--probes 400]
 *        [--server postgres://postgres@127.0.0.1:5432/postgres] [--keep]
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createPool } from '../platform/db/index.js';
import { personConfig } from '../mdm/entities/index.js';
import { migrateMdm } from '../mdm/load/initialLoad.js';
import { matchRecords } from '../mdm/match/index.js';
import { standardiseRecord } from '../mdm/standardise/index.js';
import { writeBlockKeys } from '../mdm/store/blockKeys.js';
import { matchOne } from '../mdm/store/matchOne.js';
import { writeTermFrequencies } from '../mdm/store/termFrequencies.js';
import { scorePair, termFrequencies } from '../mdm/score/index.js';
import { upsertSourceRecords } from '../mdm/store/sourceRecords.js';
import { newMasterId } from '../mdm/store/applyClusters.js';
import type { SourceRecord, StandardisedRecord } from '../mdm/types.js';
import { syntheticPersons } from './mdm-synthetic.js';

const { values } = parseArgs({
  options: {
    masters: { type: 'string', default: '100000' },
    probes: { type: 'string', default: '400' },
    server: { type: 'string', default: process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres' },
    keep: { type: 'boolean', default: false },
  },
});
const masters = Number(values.masters);
const probes = Number(values.probes);
const CHUNK = 5_000;

const dbName = `concord_bench_mdm_${process.pid}`;
const admin = new pg.Client({ connectionString: values.server });
await admin.connect();
await admin.query(`CREATE DATABASE ${dbName}`);
const url = new URL(values.server!);
url.pathname = `/${dbName}`;
const pool = createPool({ connectionString: url.toString(), max: 3, applicationName: 'concord-bench-mdm' });

try {
  await pool.query('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch; CREATE EXTENSION IF NOT EXISTS unaccent;');
  await pool.query('CREATE SCHEMA IF NOT EXISTS mdm');
  await migrateMdm(pool);

  const setupStart = performance.now();
  const { records, truth } = syntheticPersons(Math.ceil(masters / 0.8), 11);
  const stored = records.slice(0, masters).map((r) => standardiseRecord(r, personConfig.attributes));
  const duplicates = records.slice(masters);

  // The model, trained as a batch over the population would be: on a sample
  // of originals with their duplicates (EM learns m from the matches among
  // the candidate pairs; a sample of originals alone holds none). The
  // duplicates used as probes are left out.
  const sampleSize = Math.min(masters, 100_000);
  const trainingDuplicates = duplicates.filter((r, i) => i >= probes && truth.get(`${r.system}:${r.sourceId}`)! < sampleSize);
  const model = matchRecords([...stored.slice(0, sampleSize), ...trainingDuplicates], personConfig).model!;
  await pool.query('INSERT INTO mdm.model (entity_type, model) VALUES ($1, $2::jsonb)', ['person', JSON.stringify(model)]);

  let loaded = 0;
  const loadChunk = async (from: number) => {
    const chunk = stored.slice(from, from + CHUNK);
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await upsertSourceRecords(client, chunk);
      const ids = chunk.map((r) => newMasterId(personConfig, r.key, new Set()));
      await client.query(
        `INSERT INTO mdm.golden_record (master_id, entity_type, attributes)
         SELECT t.id, 'person', t.a::jsonb FROM unnest($1::text[], $2::text[]) AS t(id, a)`,
        [ids, chunk.map((r) => JSON.stringify(r.attributes))],
      );
      await client.query(
        `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule)
         SELECT 'person', t.s, t.i, t.m, 1, 'singleton' FROM unnest($1::text[], $2::text[], $3::text[]) AS t(s, i, m)`,
        [chunk.map((r) => r.system), chunk.map((r) => r.sourceId), ids],
      );
      await writeBlockKeys(client, personConfig, chunk);
      await client.query('COMMIT');
    } finally {
      client.release();
    }
    loaded += chunk.length;
    if (loaded % 100_000 < CHUNK) process.stderr.write(`  loaded ${loaded}/${masters} masters (${Math.round((performance.now() - setupStart) / 1000)} s)\n`);
  };
  // Two writers: one per core.
  let next = 0;
  await Promise.all([0, 1].map(async () => {
    for (let from = (next += CHUNK) - CHUNK; from < masters; from = (next += CHUNK) - CHUNK) await loadChunk(from);
  }));
  await writeTermFrequencies(pool, personConfig, stored);
  await pool.query('ANALYZE mdm.source_record; ANALYZE mdm.golden_record; ANALYZE mdm.xref; ANALYZE mdm.block_key; ANALYZE mdm.term_frequency');
  const setupMs = Math.round(performance.now() - setupStart);
  const size = (await pool.query('SELECT pg_size_pretty(pg_database_size(current_database())) AS size')).rows[0].size;

  // Probes: duplicates of stored persons and new persons, alternating.
  const fresh = syntheticPersons(Math.ceil(probes / 2), 12).records;
  const probeRecords: SourceRecord[] = [];
  for (let p = 0; p < probes; p++) {
    const r = p % 2 === 0 ? duplicates[p % duplicates.length] : fresh[(p >> 1) % fresh.length];
    probeRecords.push({ ...r, system: 'probe', sourceId: `probe-${p}` });
  }
  for (const r of probeRecords.slice(0, 10)) await matchOne(pool, { ...r, sourceId: `${r.sourceId}-warmup` }); // warm caches and plans
  // What the batch decides for each duplicate probe and its original: the same model, the stored records' term frequencies.
  const tf = termFrequencies(stored, personConfig.comparisons);
  const originalOf = (r: SourceRecord): StandardisedRecord => stored[truth.get(`${r.system}:${r.sourceId}`)!];
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const duplicateProbes = { total: 0, linked: 0, linkedToOriginal: 0, batchMerges: 0 };
  for (let p = 0; p < probeRecords.length; p++) {
    const r = probeRecords[p];
    const t = performance.now();
    const result = await matchOne(pool, r, { actor: 'bench' });
    latencies.push(performance.now() - t);
    outcomes[result.outcome] = (outcomes[result.outcome] ?? 0) + 1;
    if (p % 2 === 0) {
      const source = duplicates[p % duplicates.length];
      const original = originalOf(source);
      duplicateProbes.total++;
      if (result.outcome === 'linked') duplicateProbes.linked++;
      if (result.masterId === newMasterId(personConfig, original.key, new Set())) duplicateProbes.linkedToOriginal++;
      if (scorePair(standardiseRecord(r, personConfig.attributes), original, model, personConfig, tf).outcome === 'merge') duplicateProbes.batchMerges++;
    }
  }
  latencies.sort((a, b) => a - b);
  const q = (x: number) => latencies[Math.min(latencies.length - 1, Math.floor(x * latencies.length))].toFixed(1);
  process.stdout.write([
    `masters=${masters} setup_ms=${setupMs} database_size=${size.replace(' ', '')} probes=${probes}`,
    `  latency_ms median=${q(0.5)} p90=${q(0.9)} p99=${q(0.99)} max=${latencies.at(-1)!.toFixed(1)}`,
    `  outcomes ${Object.entries(outcomes).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `  duplicate probes=${duplicateProbes.total} linked=${duplicateProbes.linked} linked_to_original=${duplicateProbes.linkedToOriginal} batch_decides_merge=${duplicateProbes.batchMerges}`,
    '',
  ].join('\n'));
} finally {
  await pool.end();
  if (!values.keep) await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await admin.end();
}
