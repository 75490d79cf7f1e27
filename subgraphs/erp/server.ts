import { ConfigError, createDatabaseSource, ServiceMetrics, startServiceTracing, startSubgraphServer, TRACING_OFF, type RunningSubgraph, type SourceGuardLogger, type SourceRequestListener } from '../../platform/index.js';
import { resolveGatewayProofKey, type GatewayProofKey, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import type { ErpSubgraphConfig } from './config.js';
import { createErpDatabase } from './erpDatabase.js';
import { buildErpSchema, createErpContext } from './schema.js';

/** {@link ErpSubgraphConfig}, with the pool size and production flag optional (defaults as in the config). */
export interface ErpSubgraphOptions extends Omit<ErpSubgraphConfig, 'poolSize' | 'namedStatements' | 'production' | 'gatewayProof' | 'tracing' | 'resilience' | 'database' | 'serving'>, Partial<Pick<ErpSubgraphConfig, 'resilience' | 'database' | 'serving'>> {
  /**
   * The key the gateway's proof is checked with (a key, e.g. the in-process
   * stack's generated secret, or settings from the environment). Every
   * /graphql request without a valid proof gets 401.
   */
  gatewayProof: GatewayProofKey | GatewayProofSettings;
  /** @default 10 */
  poolSize?: number;
  /** The SELECTs as named prepared statements (ERP_NAMED_STATEMENTS). @default true */
  namedStatements?: boolean;
  /** @default false */
  production?: boolean;
  /** Spans for its requests and SQL statements, exported as configured. @default off */
  tracing?: ErpSubgraphConfig['tracing'];
  /** Where breaker changes are logged. @default none */
  logger?: SourceGuardLogger;
  /** Told of every SQL statement sent to the ERP (tests count them). */
  onSourceRequest?: SourceRequestListener;
}

/**
 * Starts the ERP subgraph: its own pg pool on the ERP database (closed with
 * the server), the schema, and GET /health answering `select 1`.
 */
export async function startErpSubgraph(options: ErpSubgraphOptions): Promise<RunningSubgraph> {
  if (!options.databaseUrl) {
    throw new ConfigError('ERP_DATABASE_URL', 'the ERP database URL (or DATABASE_URL)', options.databaseUrl);
  }
  const gatewayProofKey = await resolveGatewayProofKey(options.gatewayProof, 'verifier');
  const tracing = startServiceTracing(options.tracing ?? TRACING_OFF);
  const metrics = new ServiceMetrics('subgraph-erp', { defaultMetrics: true });
  const { pool } = createDatabaseSource({
    source: 'erp',
    connectionString: options.databaseUrl,
    poolSize: options.poolSize ?? 10,
    applicationName: 'concord-erp-subgraph',
    metrics,
    resilience: options.resilience,
    timeouts: options.database,
    tracer: tracing?.tracer,
    logger: options.logger,
  });
  const db = createErpDatabase(pool, options.schema, { namedStatements: options.namedStatements });
  try {
    return await startSubgraphServer({
      name: 'erp',
      schema: buildErpSchema(),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      gatewayProofKey,
      metrics,
      ...options.serving,
      createContext: () => createErpContext({ db, onSourceRequest: options.onSourceRequest }),
      checkHealth: () => db.ping(),
      onClose: () => pool.end(),
      tracing,
    });
  } catch (error) {
    await pool.end();
    await tracing?.shutdown();
    throw error;
  }
}
