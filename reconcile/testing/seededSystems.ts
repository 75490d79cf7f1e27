import type pg from 'pg';
import { runInitialLoad } from '../../mdm/load/initialLoad.js';
import { startCrmSandbox, type CrmSandbox } from '../../sandbox/crm/index.js';
import { seedSandbox, type SeedSummary } from '../../sandbox/seed/index.js';
import { createPool } from '../../platform/db/index.js';
import { createHttpClient, type HttpClient } from '../../platform/http/index.js';
import { resolveReconcileConfig, type ReconcileConfig } from '../config.js';
import { Reconciler } from '../runner.js';
import { migrateRecon } from '../store/migrate.js';

/**
 * Seeded source systems with a first MDM load and a reconciler over them, for
 * tests and the benchmark: the CRM stand-in on a free port (read through its
 * HubSpot API), the ERP tables and the MDM store in one database.
 */
export interface SeededSystems {
  pool: pg.Pool;
  crmSandbox: CrmSandbox;
  crm: HttpClient;
  reconciler: Reconciler;
  config: ReconcileConfig;
  seed: SeedSummary;
  /** The seed's reference day at UTC midnight: the jobs' "now". */
  asOf: Date;
  close(): Promise<void>;
}

const TOKEN = 'recon-test-token';

export async function startSeededSystems(options: { databaseUrl: string; companies: number; seed?: number; referenceDate: Date; config?: Partial<ReconcileConfig> }): Promise<SeededSystems> {
  const pool = createPool({ connectionString: options.databaseUrl, max: 4 });
  const crmSandbox = await startCrmSandbox({ databaseUrl: options.databaseUrl, port: 0, tokens: [TOKEN] });
  const seed = await seedSandbox(pool, { seed: options.seed ?? 42, companies: options.companies, referenceDate: options.referenceDate });
  await runInitialLoad(pool, { crmBaseUrl: crmSandbox.url, crmToken: TOKEN });
  await migrateRecon(pool);
  const crm = createHttpClient({ baseUrl: crmSandbox.url, headers: { authorization: `Bearer ${TOKEN}` }, timeoutMs: 30_000 });
  const config = resolveReconcileConfig(options.config);
  const reconciler = new Reconciler({ pool, erpPool: pool, crm, config });
  return {
    pool, crmSandbox, crm, reconciler, config, seed,
    asOf: new Date(`${seed.referenceDate}T00:00:00Z`),
    async close() {
      await crm.close();
      await crmSandbox.close();
      await pool.end();
    },
  };
}
