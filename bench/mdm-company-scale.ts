/**
 * Company matching as the data grows: the seed generator's companies at
 * several sizes (2,000, 20,000, 200,000 real companies by default), each
 * seeded into a scratch database, read back from the ERP tables and the CRM
 * stand-in's tables, matched in memory by the batch pipeline (the same code
 * as `concord mdm match`) and scored over ALL pairs of records (in-source
 * merges included) against the seed's truth. Prints precision, recall and F1
 * per size, the precision drop from the smallest to the largest size, and
 * the machine's load averages.
 *
 *   npx tsx bench/mdm-company-scale.ts [--sizes 2000,20000,200000] [--seed 42] [--database-url postgres://…/postgres]
 *
 * Without --database-url the PostgreSQL server at 127.0.0.1:5432 holds the
 * scratch databases (created and dropped here); PGlite is too slow to seed
 * 200,000 companies in a benchmark's time.
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { customerConfig } from '../mdm/entities/index.js';
import { formatAccuracyLine, pairwiseAccuracy } from '../mdm/evaluate/index.js';
import { crmTableReader, readCrmCustomers } from '../mdm/load/crmReader.js';
import { readErpCustomers } from '../mdm/load/erpReader.js';
import { matchRecords } from '../mdm/match/index.js';
import { sourceKey } from '../mdm/types.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { createPool } from '../platform/db/index.js';

const { values } = parseArgs({ options: {
  sizes: { type: 'string', default: '2000,20000,200000' },
  seed: { type: 'string', default: '42' },
  'database-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
} });
const sizes = values.sizes!.split(',').map(Number);
const seed = Number(values.seed);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

process.stdout.write(`company matching at scale, seed ${seed}; load averages at start: ${load()} (${os.cpus().length} cores)\n`);
const rows: string[] = [];
let first: number | undefined; let last: number | undefined;
for (const companies of sizes) {
  const name = `concord_bench_scale_${process.pid}_${companies}`;
  const admin = new pg.Client({ connectionString: values['database-url'] });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(values['database-url']!); url.pathname = `/${name}`;
  const pool = createPool({ connectionString: url.toString(), max: 4 });
  try {
    const seeded = await seedSandbox(pool, { seed, companies, products: 200 });
    const records = [...await readErpCustomers(pool), ...await readCrmCustomers(crmTableReader(pool))];
    const truth = new Map<string, string>((await pool.query(`SELECT system, source_id, truth_id FROM truth.entity WHERE entity_type = 'customer'`)).rows
      .map((r) => [sourceKey(r.system, r.source_id), String(r.truth_id)]));
    const started = performance.now();
    const result = matchRecords(records, customerConfig);
    const ms = performance.now() - started;
    const truthOf = (key: string) => truth.get(key) ?? `unlabelled:${key}`;
    const all = pairwiseAccuracy(result.clusters, truthOf, { scope: 'all' });
    const within = pairwiseAccuracy(result.clusters, truthOf, { scope: 'within' });
    const across = pairwiseAccuracy(result.clusters, truthOf, { scope: 'across' });
    first ??= all.precision; last = all.precision;
    const line = `${companies} companies: records=${records.length} candidate_pairs=${result.candidatePairs} match_s=${(ms / 1000).toFixed(1)} seed_s=${(seeded.durationMs / 1000).toFixed(1)} load=${load()}\n`
      + `  all pairs  ${formatAccuracyLine(all)} (true_positives=${all.truePositives} predicted_pairs=${all.predictedPairs} true_pairs=${all.truePairs})\n`
      + `  linkage    ${formatAccuracyLine(across)}\n`
      + `  in-source  ${formatAccuracyLine(within)} (predicted_pairs=${within.predictedPairs}, wrong=${within.predictedPairs - within.truePositives})\n`;
    process.stdout.write(line);
    rows.push(`| ${companies.toLocaleString('en')} | ${records.length.toLocaleString('en')} | ${all.precision.toFixed(4)} | ${all.recall.toFixed(4)} | ${all.f1.toFixed(4)} | ${across.f1.toFixed(4)} | ${within.predictedPairs - within.truePositives} |`);
  } finally {
    await pool.end();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}
process.stdout.write(`\nprecision drop from ${sizes[0]} to ${sizes.at(-1)} companies: ${((first ?? 0) - (last ?? 0)).toFixed(4)}; load averages at end: ${load()}\n`);
process.stdout.write(['| companies | records | all P | all R | all F1 | linkage F1 | wrong in-source pairs |', '|---|---|---|---|---|---|---|', ...rows, ''].join('\n'));
