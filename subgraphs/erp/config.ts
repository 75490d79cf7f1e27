import { readDatabaseTimeouts, readServingLimits, readSourceResilience, type DatabaseTimeoutConfig, type ServingLimitsConfig, type SourceResilienceConfig, ConfigError, quoteIdent, readBool, readInt, readString, readTracingConfig, readUrl, type TracingConfig } from '../../platform/index.js';
import { readGatewayProofSettings, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';

type Env = Record<string, string | undefined>;

/** The ERP subgraph's options, read once at start by {@link loadErpSubgraphConfig}. */
export interface ErpSubgraphConfig {
  /** ERP_SUBGRAPH_PORT. 0 = a free port (tests). @default 4001 */
  port: number;
  /** HOST. @default '127.0.0.1' (never all interfaces unless asked) */
  host: string;
  /**
   * ERP_DATABASE_URL, else DATABASE_URL. Unset means "the embedded default":
   * whoever starts the stack (npm start) passes the embedded PGlite's URL.
   */
  databaseUrl?: string;
  /**
   * ERP_SCHEMA: the schema holding Odoo's tables. The sandbox installs them in
   * 'erp'; a real Odoo database keeps them in 'public'. @default 'erp'
   */
  schema: string;
  /** ERP_POOL_SIZE: connections to the ERP database. @default 10 */
  poolSize: number;
  /**
   * ERP_NAMED_STATEMENTS: the ERP's SELECTs as named prepared statements,
   * parsed once per connection. Set false behind PgBouncer in transaction
   * mode before 1.21 (or without max_prepared_statements). @default true
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
  /** OTEL_* (see readTracingConfig): spans for requests and SQL statements. @default off; service name concord-subgraph-erp */
  tracing: TracingConfig;
  /** ERP_BREAKER_FAILURES, ERP_BREAKER_HALF_OPEN_MS, ERP_MAX_CONCURRENT, ERP_MAX_QUEUED: the database's breaker and bulkhead. */
  resilience: SourceResilienceConfig;
  /** ERP_DB_CONNECT_TIMEOUT_MS, ERP_DB_QUERY_TIMEOUT_MS, ERP_DB_STATEMENT_TIMEOUTS. */
  database: DatabaseTimeoutConfig;
  /** SUBGRAPH_MAX_IN_FLIGHT, SUBGRAPH_DEFAULT_BUDGET_MS, SUBGRAPH_MAX_BUDGET_MS, READY_TIMEOUT_MS. */
  serving: ServingLimitsConfig;
}

export function loadErpSubgraphConfig(env: Env): ErpSubgraphConfig {
  const schema = readString(env, 'ERP_SCHEMA', 'erp');
  try {
    quoteIdent(schema);
  } catch {
    throw new ConfigError('ERP_SCHEMA', 'an SQL identifier (letters, digits, underscores)', schema);
  }
  return {
    port: readInt(env, 'ERP_SUBGRAPH_PORT', 4001, { max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    databaseUrl: readUrl(env, 'ERP_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    schema,
    poolSize: readInt(env, 'ERP_POOL_SIZE', 10, { min: 1, max: 1000 }),
    namedStatements: readBool(env, 'ERP_NAMED_STATEMENTS', true),
    production: readBool(env, 'CONCORD_PRODUCTION', env.NODE_ENV === 'production'),
    gatewayProof: readGatewayProofSettings(env),
    tracing: readTracingConfig(env, 'concord-subgraph-erp'),
    resilience: readSourceResilience(env, 'ERP'),
    database: readDatabaseTimeouts(env, 'ERP'),
    serving: readServingLimits(env),
  };
}
