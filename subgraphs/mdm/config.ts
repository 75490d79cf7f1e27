import { readDatabaseTimeouts, readServingLimits, readSourceResilience, type DatabaseTimeoutConfig, type ServingLimitsConfig, type SourceResilienceConfig, readBool, readInt, readString, readTracingConfig, readUrl, type TracingConfig } from '../../platform/index.js';
import { readGatewayProofSettings, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';

type Env = Record<string, string | undefined>;

/** The MDM subgraph's options, read once at start by {@link loadMdmSubgraphConfig}. */
export interface MdmSubgraphConfig {
  /** MDM_SUBGRAPH_PORT. 0 = a free port (tests). @default 4003 */
  port: number;
  /** HOST. @default '127.0.0.1' */
  host: string;
  /**
   * MDM_DATABASE_URL, else DATABASE_URL. Unset means "the embedded default":
   * whoever starts the stack (npm start) passes the embedded PGlite's URL.
   */
  databaseUrl?: string;
  /** MDM_POOL_SIZE. @default 10 */
  poolSize: number;
  /**
   * MDM_NAMED_STATEMENTS: the golden-record reads as named prepared
   * statements, parsed once per connection. Set false behind PgBouncer in
   * transaction mode before 1.21 (or without max_prepared_statements). @default true
   */
  namedStatements: boolean;
  /** CONCORD_PRODUCTION (default: NODE_ENV=production): no stack traces, no introspection. */
  production: boolean;
  /**
   * How the gateway's proof is checked on every request (ADR 0003):
   * CONCORD_GATEWAY_PROOF_SECRET (shared, ≥ 32 characters) or
   * CONCORD_GATEWAY_PROOF_PUBLIC_KEY (Ed25519 SPKI PEM). Required: the
   * subgraph refuses to start without one.
   */
  gatewayProof: GatewayProofSettings;
  /** OTEL_* (see readTracingConfig): spans for requests and SQL statements. @default off; service name concord-subgraph-mdm */
  tracing: TracingConfig;
  /** MDM_BREAKER_FAILURES, MDM_BREAKER_HALF_OPEN_MS, MDM_MAX_CONCURRENT, MDM_MAX_QUEUED: the database's breaker and bulkhead. */
  resilience: SourceResilienceConfig;
  /** MDM_DB_CONNECT_TIMEOUT_MS, MDM_DB_QUERY_TIMEOUT_MS, MDM_DB_STATEMENT_TIMEOUTS. */
  database: DatabaseTimeoutConfig;
  /** SUBGRAPH_MAX_IN_FLIGHT, SUBGRAPH_DEFAULT_BUDGET_MS, SUBGRAPH_MAX_BUDGET_MS, READY_TIMEOUT_MS. */
  serving: ServingLimitsConfig;
}

export function loadMdmSubgraphConfig(env: Env): MdmSubgraphConfig {
  return {
    port: readInt(env, 'MDM_SUBGRAPH_PORT', 4003, { max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    databaseUrl: readUrl(env, 'MDM_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    poolSize: readInt(env, 'MDM_POOL_SIZE', 10, { min: 1, max: 1000 }),
    namedStatements: readBool(env, 'MDM_NAMED_STATEMENTS', true),
    production: readBool(env, 'CONCORD_PRODUCTION', env.NODE_ENV === 'production'),
    gatewayProof: readGatewayProofSettings(env),
    tracing: readTracingConfig(env, 'concord-subgraph-mdm'),
    resilience: readSourceResilience(env, 'MDM'),
    database: readDatabaseTimeouts(env, 'MDM'),
    serving: readServingLimits(env),
  };
}
