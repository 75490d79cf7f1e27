/**
 * Reconciliation benchmark: the jobs on a large seed on the PostgreSQL
 * server, printing the time of each job, its findings and the process's
 * peak memory, for a first run (every finding new: inserts and "detected"
 * events) and a second run (the same findings seen again: updates only),
 * with the machine's load averages before and after (2 shared cores).
 *
 *   npx tsx bench/reconcile.ts [--companies 100000] [--database-url postgres://…/db]
 *
 * Without --database-url a scratch database is created on the server at
 * 127.0.0.1:5432 (TEST_PG_URL overrides) and dropped afterwards. The seed
 * (SEED_COMPANIES or --companies) and the first MDM load are timed too, but
 * are not the subject. The CRM is read through the stand-in's HubSpot API on
 * a free port of 127.0.0.1, 100 objects a page, as in production.
 */
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { runInitialLoad } from '../mdm/load/initialLoad.js';
import { JOB_NAMES, migrateRecon, Reconciler, resolveReconcileConfig } from '../reconcile/index.js';
import { startCrmSandbox } from '../sandbox/crm/index.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { createPool } from '../platform/db/index.js';
import { createHttpClient } from '../platform/http/index.js';

const { values } = parseArgs({ options: {
  companies: { type: 'string', default: process.env.SEED_COMPANIES ?? '100000' },
  'database-url': { type: 'string' },
} });
const companies = Number(values.companies);
const serverUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');
let peakRss = 0;
setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 200).unref();
const line = (text: string) => process.stdout.write(`${text}\n`);

let databaseUrl = values['database-url'];
let dropDatabase: (() => Promise<void>) | undefined;
if (!databaseUrl) {
  const name = `concord_bench_recon_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  await setup.query('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch; CREATE EXTENSION IF NOT EXISTS unaccent;');
  await setup.end();
  dropDatabase = async () => {
    const dropper = new pg.Client({ connectionString: serverUrl });
    await dropper.connect();
    await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await dropper.end();
  };
}

const pool = createPool({ connectionString: databaseUrl, max: 4 });
const crmSandbox = await startCrmSandbox({ databaseUrl, port: 0, tokens: ['bench'] });
const crm = createHttpClient({ baseUrl: crmSandbox.url, headers: { authorization: 'Bearer bench' }, timeoutMs: 60_000 });
try {
  line(`# reconciliation benchmark: ${companies} companies, PostgreSQL server, node ${process.version}`);
  line(`load before: ${load()}`);
  let t = performance.now();
  const seed = await seedSandbox(pool, { companies, reset: true });
  line(`seed: ${Math.round(performance.now() - t)} ms (${seed.rows['erp.res_partner']} partners, ${seed.rows['erp.sale_order']} orders, ${seed.rows['erp.account_move']} invoices, ${seed.rows['crm.companies']} CRM companies, ${seed.rows['crm.deals']} deals)`);
  t = performance.now();
  await runInitialLoad(pool, { crmBaseUrl: crmSandbox.url, crmToken: 'bench' });
  line(`MDM first load: ${Math.round(performance.now() - t)} ms`);
  await migrateRecon(pool);
  const reconciler = new Reconciler({ pool, erpPool: pool, crm, config: resolveReconcileConfig() });
  const asOf = new Date(`${seed.referenceDate}T00:00:00Z`);
  line(`load before the jobs: ${load()}`);
  line('| run | job | ms | findings | CRM requests |');
  line('|---|---|---|---|---|');
  const totals: Record<string, number[]> = {};
  for (const run of ['first', 'second']) {
    for (const job of JOB_NAMES) {
      crmSandbox.resetRequestLog();
      const started = performance.now();
      const [row] = await reconciler.run({ jobs: [job], asOf, actor: 'bench' });
      const ms = Math.round(performance.now() - started);
      (totals[job] ??= []).push(ms);
      const findings = Object.values(row.counts).reduce((a, b) => a + b, 0);
      line(`| ${run} | ${job} | ${ms} | ${findings} | ${crmSandbox.requestsServed} |`);
    }
  }
  line(`second / first run: ${JOB_NAMES.map((j) => `${j} ${(totals[j][1] / totals[j][0]).toFixed(2)}`).join(', ')}`);
  const truth = (await pool.query('SELECT count(*)::int AS n FROM truth.recon_finding')).rows[0].n;
  const found = (await pool.query('SELECT count(*)::int AS n FROM recon.finding WHERE present')).rows[0].n;
  line(`findings ${found}, seed truth ${truth}`);
  line(`peak RSS ${Math.round(peakRss / 1e6)} MB; load after: ${load()}`);
} finally {
  await crm.close();
  await crmSandbox.close();
  await pool.end();
  await dropDatabase?.();
}
