/**
 * Accuracy of the first MDM load on the seed generator's data, end to end:
 * embedded PGlite → seed (ERP tables, CRM stand-in objects, truth) → the
 * initial load, reading the CRM through its HubSpot API → the stored
 * clusters scored against truth.entity (the same code as
 * `concord mdm evaluate --seed-truth`).
 *
 *   npx tsx bench/mdm-seed-accuracy.ts [--companies 2000] [--seed 42] [--products N]
 */
import { parseArgs } from 'node:util';
import { formatSeedTruthEvaluation } from '../mdm/cli.js';
import { evaluateSeedTruth } from '../mdm/evaluate/seedTruth.js';
import { runInitialLoad } from '../mdm/load/initialLoad.js';
import { startCrmSandbox } from '../sandbox/crm/index.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { startEmbeddedPostgres } from '../platform/db/embeddedPostgres.js';
import { createPool } from '../platform/db/index.js';

const { values } = parseArgs({ options: { companies: { type: 'string', default: '2000' }, seed: { type: 'string', default: '42' }, products: { type: 'string' } } });
const companies = Number(values.companies);
const seed = Number(values.seed);

const db = await startEmbeddedPostgres();
const pool = createPool({ connectionString: db.connectionString, max: 4 });
const crm = await startCrmSandbox({ databaseUrl: db.connectionString, port: 0, tokens: ['bench'] });
try {
  const seeded = await seedSandbox(pool, { seed, companies, products: values.products === undefined ? undefined : Number(values.products) });
  const load = await runInitialLoad(pool, { crmBaseUrl: crm.url, crmToken: 'bench', actor: 'bench' });
  process.stdout.write(`seed=${seed} companies=${companies} products=${seeded.products} seed_ms=${seeded.durationMs} load_ms=${load.durationMs}\n`);
  for (const s of [load.customers, load.products]) {
    process.stdout.write(`${s.entityType}: mode=${s.mode} records=${s.records} candidate_pairs=${s.candidatePairs} auto_merged=${s.autoMerged} queued=${s.queued} clusters=${s.clusters}\n`);
  }
  const results = [await evaluateSeedTruth(pool, 'customer'), await evaluateSeedTruth(pool, 'product')];
  process.stdout.write(formatSeedTruthEvaluation(results));
} finally {
  await crm.close();
  await pool.end();
  await db.stop();
}
