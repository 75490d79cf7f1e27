import type pg from 'pg';
import { createPool } from '../subgraphs/kit/db/index.js';
import type { SourceRequestListener } from '../subgraphs/kit/sourceRequests.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres.js';
import type { StackConfig } from './config.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { startCrmSandbox } from '../sandbox/crm/server.js';
import { runInitialLoad } from '../mdm/load/initialLoad.js';
import { startErpSubgraph } from '../subgraphs/erp/server.js';
import { startCrmSubgraph } from '../subgraphs/crm/server.js';
import { startMdmSubgraph } from '../subgraphs/mdm/server.js';
import { startGateway } from '../gateway/server.js';
import { generateGatewayProofSecret, isGatewayProofKey, resolveGatewayProofKey, type GatewayProofKey } from '../subgraphs/kit/auth/gatewayProof.js';

export interface StackOptions extends StackConfig {
  /** Called for every source round trip of every subgraph (tests count them). */
  onSourceRequest?: SourceRequestListener;
  /** Progress lines for the operator. */
  log?: (line: string) => void;
  /** Skip seeding when the sandbox already holds data (a persistent data dir). @default true */
  seedIfEmpty?: boolean;
}

export interface RunningStack {
  gatewayUrl: string;
  databaseUrl: string;
  /** The key the gateway signs its proof with and the subgraphs check it with (tests call subgraphs directly with it). */
  gatewayProofKey: GatewayProofKey;
  urls: { erp: string; crm: string; mdm: string; crmSandbox: string };
  /** A pool on the stack's database, for tests that read the ground truth. */
  pool: pg.Pool;
  crmSandbox: Awaited<ReturnType<typeof startCrmSandbox>>;
  /** Stops the CRM stand-in only (to show what happens when a source is down). */
  stopCrmSandbox(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Boots the whole system in dependency order: database (embedded unless
 * DATABASE_URL), sandbox CRM, seed, first MDM load, the three subgraphs, the
 * gateway. Everything listens on its own port; parts talk over HTTP and the
 * Postgres wire protocol exactly as they do when deployed separately.
 * On failure, whatever started is stopped again before the error propagates.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    let databaseUrl = options.databaseUrl;
    if (!databaseUrl) {
      const started = Date.now();
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ host: '127.0.0.1', port: options.ports.pglite, dataDir: options.dataDir });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.connectionString;
      log(`embedded PostgreSQL (PGlite) at ${databaseUrl} in ${Date.now() - started} ms`);
    }
    const pool = createPool({ connectionString: databaseUrl, applicationName: 'concord-stack' });
    stops.push(() => pool.end());

    let crmSandbox = await startCrmSandbox({ databaseUrl, host: options.host, port: options.ports.crmSandbox, tokens: [options.crmToken] });
    let crmSandboxStopped = false;
    stops.push(async () => {
      if (!crmSandboxStopped) await crmSandbox.close();
    });
    log(`CRM stand-in (HubSpot API) at ${crmSandbox.url}`);

    const seeded = await isSeeded(pool);
    if (!seeded || options.seedIfEmpty === false) {
      const started = Date.now();
      const summary = await seedSandbox(pool, { seed: options.seed.seed, companies: options.seed.companies });
      log(`seeded ${options.seed.companies} companies (seed ${options.seed.seed}) in ${Date.now() - started} ms ${JSON.stringify(summary)}`);
    } else {
      log('sandbox already seeded; keeping its data');
    }

    const loadStarted = Date.now();
    const load = await runInitialLoad(pool, { crmBaseUrl: crmSandbox.url, crmToken: options.crmToken });
    log(`MDM load in ${Date.now() - loadStarted} ms ${JSON.stringify(load)}`);

    // One proof key for the gateway and every subgraph: from the environment, or generated for this run.
    const proofSettings = options.gateway.security.gatewayProof;
    const hasProofSettings = isGatewayProofKey(proofSettings) || Boolean(proofSettings.secret ?? proofSettings.publicKeyPem ?? proofSettings.privateKeyPem);
    const gatewayProofKey = hasProofSettings ? await resolveGatewayProofKey(proofSettings, 'signer') : generateGatewayProofSecret();
    const common = { host: options.host, production: options.production, onSourceRequest: options.onSourceRequest, gatewayProof: gatewayProofKey };
    const erp = await startErpSubgraph({ ...common, port: options.ports.erp, databaseUrl, schema: 'erp' });
    stops.push(() => erp.close());
    const crm = await startCrmSubgraph({ ...common, port: options.ports.crm, baseUrl: crmSandbox.url, token: options.crmToken });
    stops.push(() => crm.close());
    const mdm = await startMdmSubgraph({ ...common, port: options.ports.mdm, databaseUrl });
    stops.push(() => mdm.close());
    log(`subgraphs: erp ${erp.url}, crm ${crm.url}, mdm ${mdm.url}`);

    const subgraphs = [
      { name: 'erp', url: erp.url },
      { name: 'crm', url: crm.url },
      { name: 'mdm', url: mdm.url },
    ];
    const gateway = await startGateway({
      host: options.host,
      port: options.ports.gateway,
      production: options.production,
      subgraphs,
      security: { ...options.gateway.security, gatewayProof: gatewayProofKey },
      databaseUrl: options.gateway.auditDatabaseUrl ?? databaseUrl,
      maxBodyBytes: options.gateway.maxBodyBytes,
      batching: options.gateway.batching,
      maxBatchSize: options.gateway.maxBatchSize,
      introspection: options.gateway.introspection,
    });
    stops.push(() => gateway.close());

    return {
      gatewayUrl: gateway.url,
      databaseUrl,
      gatewayProofKey,
      urls: { erp: erp.url, crm: crm.url, mdm: mdm.url, crmSandbox: crmSandbox.url },
      pool,
      crmSandbox,
      async stopCrmSandbox() {
        crmSandboxStopped = true;
        await crmSandbox.close();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function isSeeded(pool: pg.Pool): Promise<boolean> {
  const result = await pool.query(`SELECT to_regclass('erp.res_partner') IS NOT NULL AS present`);
  if (!result.rows[0].present) return false;
  const rows = await pool.query('SELECT EXISTS (SELECT 1 FROM erp.res_partner) AS seeded');
  return rows.rows[0].seeded === true;
}
