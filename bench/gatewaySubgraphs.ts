import type pg from 'pg';
import { createPool } from '../platform/db/index.js';
import { readBool } from '../platform/config.js';
import type { GatewayProofKey } from '../platform/auth/gatewayProof.js';
import type { SourceRequestListener } from '../platform/sourceRequests.js';
import type { StackConfig } from '../stack/config.js';
import { startEmbeddedPostgres } from '../platform/db/embeddedPostgres.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { startCrmSandbox } from '../sandbox/crm/server.js';
import { runInitialLoad } from '../mdm/load/initialLoad.js';
import { startErpSubgraph } from '../subgraphs/erp/server.js';
import { startCrmSubgraph } from '../subgraphs/crm/server.js';
import { startMdmSubgraph } from '../subgraphs/mdm/server.js';

/**
 * The stack without its gateway, for the gateway benchmark: database
 * (embedded PGlite unless DATABASE_URL), CRM stand-in, seed, first MDM load,
 * the three subgraphs — the same steps as stack/startStack.ts, in the same
 * order, with the gateway-proof key given explicitly so the bench can sign a
 * long-lived proof for the peer gateways.
 */
export interface BenchSubgraphs {
  subgraphs: Array<{ name: 'erp' | 'crm' | 'mdm'; url: string }>;
  databaseUrl: string;
  pool: pg.Pool;
  stop(): Promise<void>;
}

export async function startBenchSubgraphs(
  config: StackConfig,
  options: {
    gatewayProof: GatewayProofKey;
    onSourceRequest?: SourceRequestListener;
    log?: (line: string) => void;
    /** Where PGlite runs (startEmbeddedPostgres's `thread`). @default 'worker', as npm start runs it */
    pgliteThread?: 'worker' | 'caller';
  },
): Promise<BenchSubgraphs> {
  const log = options.log ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => {});
    stops.length = 0;
  };
  try {
    let databaseUrl = config.databaseUrl;
    if (!databaseUrl) {
      const embedded = await startEmbeddedPostgres({ host: '127.0.0.1', port: 0, thread: options.pgliteThread });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.connectionString;
      log(`embedded PostgreSQL (PGlite) at ${databaseUrl}`);
    }
    const pool = createPool({ connectionString: databaseUrl, applicationName: 'concord-bench' });
    stops.push(() => pool.end());
    const crmSandbox = await startCrmSandbox({ databaseUrl, host: '127.0.0.1', port: 0, tokens: [config.crmToken] });
    stops.push(() => crmSandbox.close());

    const seeded = await pool.query(`SELECT to_regclass('erp.res_partner') IS NOT NULL AS present`);
    if (seeded.rows[0].present && (await pool.query('SELECT EXISTS (SELECT 1 FROM erp.res_partner) AS any')).rows[0].any) {
      log('the database is already seeded; keeping its data');
    } else {
      const started = Date.now();
      await seedSandbox(pool, { seed: config.seed.seed, companies: config.seed.companies });
      log(`seeded ${config.seed.companies} companies in ${Date.now() - started} ms`);
    }
    const started = Date.now();
    await runInitialLoad(pool, { crmBaseUrl: crmSandbox.url, crmToken: config.crmToken });
    log(`MDM load in ${Date.now() - started} ms`);

    const common = { host: '127.0.0.1', port: 0, production: config.production, gatewayProof: options.gatewayProof, onSourceRequest: options.onSourceRequest };
    // ERP_NAMED_STATEMENTS=false, MDM_NAMED_STATEMENTS=false: that subgraph's reads unnamed, parsed and planned on every call (for comparison).
    const erp = await startErpSubgraph({ ...common, databaseUrl, schema: 'erp', namedStatements: readBool(process.env, 'ERP_NAMED_STATEMENTS', true) });
    stops.push(() => erp.close());
    const crm = await startCrmSubgraph({ ...common, baseUrl: crmSandbox.url, token: config.crmToken });
    stops.push(() => crm.close());
    const mdm = await startMdmSubgraph({ ...common, databaseUrl, namedStatements: readBool(process.env, 'MDM_NAMED_STATEMENTS', true) });
    stops.push(() => mdm.close());
    return {
      subgraphs: [
        { name: 'erp', url: erp.url },
        { name: 'crm', url: crm.url },
        { name: 'mdm', url: mdm.url },
      ],
      databaseUrl,
      pool,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
