import { ConfigError, createDatabaseSource, ServiceMetrics, startServiceTracing, startSubgraphServer, TRACING_OFF, type RunningSubgraph, type SourceGuardLogger, type SourceRequestListener } from '../../platform/index.js';
import { resolveGatewayProofKey, type GatewayProofKey, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import type { MdmSubgraphConfig } from './config.js';
import { createMdmStore } from './mdmStore.js';
import { buildMdmSchema, createMdmContext } from './schema.js';

/** {@link MdmSubgraphConfig}, with the pool size and production flag optional (defaults as in the config). */
export interface MdmSubgraphOptions extends Omit<MdmSubgraphConfig, 'poolSize' | 'namedStatements' | 'production' | 'gatewayProof' | 'tracing' | 'resilience' | 'database' | 'serving'>, Partial<Pick<MdmSubgraphConfig, 'resilience' | 'database' | 'serving'>> {
  /**
   * The key the gateway's proof is checked with (a key, e.g. the in-process
   * stack's generated secret, or settings from the environment). Every
   * /graphql request without a valid proof gets 401.
   */
  gatewayProof: GatewayProofKey | GatewayProofSettings;
  /** @default 10 */
  poolSize?: number;
  /** The reads as named prepared statements (MDM_NAMED_STATEMENTS). @default true */
  namedStatements?: boolean;
  /** @default false */
  production?: boolean;
  /** Spans for its requests and SQL statements, exported as configured. @default off */
  tracing?: MdmSubgraphConfig['tracing'];
  /** Where breaker changes are logged. @default none */
  logger?: SourceGuardLogger;
  /** Told of every statement sent to the MDM store (tests count them). */
  onSourceRequest?: SourceRequestListener;
}

/**
 * Starts the MDM subgraph: its own pg pool on the MDM store (closed with the
 * server) serving golden-record reads, search and the steward operations,
 * and GET /health answering `select 1`. The store's schema is expected to be
 * migrated (mdm/ `migrateMdm`, run by the initial load).
 */
export async function startMdmSubgraph(options: MdmSubgraphOptions): Promise<RunningSubgraph> {
  if (!options.databaseUrl) {
    throw new ConfigError('MDM_DATABASE_URL', 'the MDM store URL (or DATABASE_URL)', options.databaseUrl);
  }
  const gatewayProofKey = await resolveGatewayProofKey(options.gatewayProof, 'verifier');
  const tracing = startServiceTracing(options.tracing ?? TRACING_OFF);
  const metrics = new ServiceMetrics('subgraph-mdm', { defaultMetrics: true });
  const { pool } = createDatabaseSource({
    source: 'mdm',
    connectionString: options.databaseUrl,
    poolSize: options.poolSize ?? 10,
    applicationName: 'concord-mdm-subgraph',
    metrics,
    resilience: options.resilience,
    timeouts: options.database,
    tracer: tracing?.tracer,
    logger: options.logger,
  });
  const store = createMdmStore(pool, { namedStatements: options.namedStatements });
  try {
    return await startSubgraphServer({
      name: 'mdm',
      schema: buildMdmSchema(),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      gatewayProofKey,
      metrics,
      ...options.serving,
      createContext: (req) => createMdmContext({ store, pool, onSourceRequest: options.onSourceRequest }, req),
      checkHealth: () => store.ping(),
      onClose: () => pool.end(),
      tracing,
    });
  } catch (error) {
    await pool.end();
    await tracing?.shutdown();
    throw error;
  }
}
