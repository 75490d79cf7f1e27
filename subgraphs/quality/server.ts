import { ConfigError, createPool, startServiceTracing, startSubgraphServer, TRACING_OFF, type RunningSubgraph } from '../../platform/index.js';
import { resolveGatewayProofKey, type GatewayProofKey, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import { createHttpClient } from '../../platform/http/index.js';
import { migrateRecon, Reconciler, resolveReconcileConfig, scheduleReconciliation, type ReconcileConfig } from '../../reconcile/index.js';
import type { QualitySubgraphConfig } from './config.js';
import { buildQualitySchema, createQualityContext } from './schema.js';

export interface QualitySubgraphOptions extends Omit<QualitySubgraphConfig, 'poolSize' | 'production' | 'gatewayProof' | 'tracing' | 'reconcile'> {
  gatewayProof: GatewayProofKey | GatewayProofSettings;
  /** @default 5 */
  poolSize?: number;
  /** @default false */
  production?: boolean;
  /** @default the defaults of reconcile/config.ts */
  reconcile?: Partial<ReconcileConfig>;
  tracing?: QualitySubgraphConfig['tracing'];
  /** Run every job once before answering (npm start: the console has findings at once). @default false */
  runAtStart?: boolean;
  log?: (line: string) => void;
}

export interface RunningQualitySubgraph extends RunningSubgraph {
  reconciler: Reconciler;
}

/**
 * Starts the quality subgraph: migrates the recon schema, owns the
 * reconciler (the jobs read the ERP database, the CRM's HubSpot API and the
 * MDM store) and its schedule, and serves runs, findings and profiles.
 *
 * With several replicas each would schedule its own runs; run one replica
 * with RECON_INTERVAL_MINUTES and the others with 0 (documented in the ADR).
 */
export async function startQualitySubgraph(options: QualitySubgraphOptions): Promise<RunningQualitySubgraph> {
  if (!options.databaseUrl) throw new ConfigError('MDM_DATABASE_URL', 'the MDM store URL (or DATABASE_URL)', options.databaseUrl);
  if (!options.crmBaseUrl) throw new ConfigError('CRM_BASE_URL', 'the CRM API base URL', options.crmBaseUrl);
  if (!options.crmToken) throw new ConfigError('CRM_TOKEN', 'the CRM private-app token', options.crmToken);
  const config = resolveReconcileConfig(options.reconcile);
  const gatewayProofKey = await resolveGatewayProofKey(options.gatewayProof, 'verifier');
  const tracing = startServiceTracing(options.tracing ?? TRACING_OFF);
  const pool = createPool({ connectionString: options.databaseUrl, max: options.poolSize ?? 5, applicationName: 'concord-quality-subgraph', tracer: tracing?.tracer });
  const erpPool = options.erpDatabaseUrl && options.erpDatabaseUrl !== options.databaseUrl
    ? createPool({ connectionString: options.erpDatabaseUrl, max: 2, applicationName: 'concord-quality-erp' })
    : pool;
  const crm = createHttpClient({ baseUrl: options.crmBaseUrl, headers: { authorization: `Bearer ${options.crmToken}` }, timeoutMs: 30_000, tracer: tracing?.tracer });
  const closeAll = async () => {
    await crm.close();
    if (erpPool !== pool) await erpPool.end();
    await pool.end();
  };
  try {
    await migrateRecon(pool);
    const reconciler = new Reconciler({ pool, erpPool, crm, config });
    if (options.runAtStart) {
      const started = Date.now();
      const runs = await reconciler.run({ trigger: 'manual', actor: 'start' });
      const findings = runs.reduce((sum, r) => sum + Object.values(r.counts).reduce((a, b) => a + b, 0), 0);
      options.log?.(`reconciliation: ${findings} findings from ${runs.length} jobs in ${Date.now() - started} ms`);
    }
    const schedule = scheduleReconciliation(reconciler, config.intervalMinutes, (error) => options.log?.(`reconciliation run failed: ${(error as Error).message}`));
    const server = await startSubgraphServer({
      name: 'quality',
      schema: buildQualitySchema(),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      gatewayProofKey,
      createContext: () => createQualityContext({ pool, reconciler, config }),
      checkHealth: async () => { await pool.query('select 1'); },
      onClose: async () => { await schedule.stop(); await closeAll(); },
      tracing,
    });
    return { ...server, reconciler };
  } catch (error) {
    await closeAll();
    await tracing?.shutdown();
    throw error;
  }
}
