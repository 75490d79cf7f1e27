import type { Logger } from 'pino';
import { ConfigError, readBool, readEnum, readInt, readString, readTracingConfig, readUrl, TRACING_OFF, type TracingConfig } from '../platform/config.js';
import { checkAuditBudget, DEFAULT_AUDIT_BUDGET, readAuditBudget, type AuditBudgetConfig } from './audit/auditBudget.js';
import { readEntityCacheConfig, type EntityCacheConfig } from './entityCache/entityCacheConfig.js';
import { DEFAULT_GATEWAY_RESILIENCE, readGatewayResilience, type GatewayResilienceConfig } from './resilience/resilienceConfig.js';
import { DEFAULT_HTTP_LIMITS } from './limits/httpLimits.js';
import { readPersistedQueriesConfig, type PersistedQueriesConfig } from './persisted/persistedConfig.js';
import type { GatewayPlugin } from './plugins.js';
import { readSecurityConfig, type GatewaySecurityConfig } from './security/securityConfig.js';
import type { SubgraphEndpoint } from './supergraph/compose.js';
import type { SupergraphSource } from './supergraph/source.js';

// Defined beside the code that fetches and composes subgraphs, so that
// supergraph/ needs nothing from this file (no import circle).
export type { SubgraphEndpoint } from './supergraph/compose.js';

export type LogLevel = 'silent' | 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Everything `startGateway` needs. Where the supergraph comes from, first
 * match wins: `supergraphSource` (pluggable, hot reload), `supergraphPath`
 * (a composed supergraph file, watched), else compose `subgraphs` at start.
 */
export interface GatewayConfig {
  /** TCP port; 0 picks a free one. @default 4000 (from PORT) */
  port: number;
  /** Interface to bind. @default '127.0.0.1' */
  host?: string;
  /** Composed at start (SDL fetched with `{ _service { sdl } }`) when no other source is given. */
  subgraphs: SubgraphEndpoint[];
  /** A composed supergraph file read instead of composing. */
  supergraphPath?: string;
  /** Re-read `supergraphPath` when the file changes (hot reload). @default true */
  watchSupergraphFile?: boolean;
  /** A pluggable source (schema registry, tests); takes precedence over the two above. */
  supergraphSource?: SupergraphSource;
  /** Largest accepted request body; larger gets 413 BODY_TOO_LARGE. @default 1_048_576 (1 MiB; loadGatewayConfig uses the limits' 100 KiB) */
  maxBodyBytes?: number;
  /** Accept a JSON array of operations in one POST (each authorized and limited on its own). @default false */
  batching?: boolean;
  /** Most operations in one batch; more gets MAX_BATCH_SIZE_EXCEEDED. @default 10 */
  maxBatchSize?: number;
  /**
   * Authentication, authorization, PII masking, audit, limits, CSRF and the
   * gateway proof (ADR 0003). loadGatewayConfig always sets it. Without it the
   * gateway serves everyone and refuses a supergraph that declares access
   * rules — only tests of the bare gateway run that way.
   */
  security?: GatewaySecurityConfig;
  /** PostgreSQL for the audit log (audit.field_read); without it audit records go to the log. */
  databaseUrl?: string;
  /**
   * Where audit records wait, fsync'ed, while the audit database is down
   * (replayed into it when it is back). Unset: no spool — a record the
   * database cannot take refuses its fields (AUDIT_UNAVAILABLE).
   */
  auditSpoolDir?: string;
  /**
   * How an audited answer's time is split: the audit database gets at most
   * `databaseTimeoutMs` and never past the deadline minus `spoolReserveMs`,
   * kept for the spool write (ADR 0011). @default DEFAULT_AUDIT_BUDGET (1000, 200)
   */
  auditBudget?: AuditBudgetConfig;
  /** Deadline, in-flight cap, subgraph breakers and bulkheads, readiness (ADR 0011). @default DEFAULT_GATEWAY_RESILIENCE */
  resilience?: GatewayResilienceConfig;
  /** Production mode: no stack traces, no field suggestions, no upstream bodies, no introspection by default. */
  production: boolean;
  /** Allow `__schema`/`__type`. @default !production */
  introspection?: boolean;
  /** Per subgraph call, for response headers and then for the body each; enforced by undici's coarse timers (±0.5 s). @default 30_000 */
  subgraphTimeoutMs?: number;
  /** Keep-alive connections per subgraph origin. @default 32 (enough to saturate a local subgraph on 2 cores; more only queues in the subgraph) */
  subgraphConnections?: number;
  /** Share identical in-flight subgraph queries between requests. @default true */
  dedupeSubgraphRequests?: boolean;
  /**
   * Merge concurrent `_entities` fetches of one caller (same fetch, same
   * outgoing headers) into one subgraph call when `entityBatchInFlight` of
   * them are on their way already, up to `entityBatchMaxRepresentations`
   * representations a call, waiting `entityBatchMaxWaitMs` at most (ADR
   * 0019). 0 in flight: off. @default 1, 500, 50
   */
  entityBatchInFlight?: number;
  entityBatchMaxRepresentations?: number;
  entityBatchMaxWaitMs?: number;
  /**
   * The longest a key whose callers come back in rounds holds its next call
   * back for them, never more than its last call's duration (twice that
   * while they are still arriving; ADR 0021). 0: never. @default 20
   */
  entityBatchLingerMs?: number;
  /** How long to keep retrying SDL fetches while subgraphs start. @default 30_000 */
  compositionRetryMs?: number;
  /** Lifecycle hooks (auth, limits, authorization); see gateway/plugins.ts. @default [] */
  plugins?: GatewayPlugin[];
  /** @default 'info' */
  logLevel?: LogLevel;
  /**
   * OpenTelemetry tracing (ADR 0006): an HTTP server span per /graphql
   * request under the caller's `traceparent`, @apollo/gateway's own spans, and
   * the trace context sent to every subgraph. @default off (TRACING_OFF)
   */
  tracing?: TracingConfig;
  /** A logger to use instead of creating one. */
  logger?: Logger;
  /** The entity cache for golden records (ADR 0014). @default { store: 'auto' }: on when change events reach the gateway */
  entityCache?: EntityCacheConfig;
  /** APQ and trusted documents (ADR 0014). @default APQ on, no client restricted to trusted documents */
  persistedQueries?: PersistedQueriesConfig;
  /**
   * A directory holding the console's prebuilt bundle (app.js, app.css, as
   * `tsx console/writeBundle.ts <dir>` writes it; the Docker image does at
   * build time), served at /console by `gateway/main.ts`. Unset: no console
   * (the stack launcher bundles it in memory instead). From GATEWAY_CONSOLE_DIR.
   */
  consoleDir?: string;
}

/** GatewayConfig with every default filled in and every value checked. */
export type ResolvedGatewayConfig = Required<Omit<GatewayConfig, 'supergraphPath' | 'supergraphSource' | 'logger' | 'security' | 'databaseUrl' | 'auditSpoolDir' | 'consoleDir'>> &
  Pick<GatewayConfig, 'supergraphPath' | 'supergraphSource' | 'logger' | 'security' | 'databaseUrl' | 'auditSpoolDir'>;

const DEFAULT_PERSISTED_QUERIES: PersistedQueriesConfig = { apq: true, trustedClients: [] };

export const GATEWAY_DEFAULTS = {
  host: '127.0.0.1',
  maxBodyBytes: 1_048_576,
  maxBatchSize: 10,
  watchSupergraphFile: true,
  subgraphTimeoutMs: 30_000,
  subgraphConnections: 32,
  dedupeSubgraphRequests: true,
  entityBatchInFlight: 1,
  entityBatchMaxRepresentations: 500,
  entityBatchMaxWaitMs: 50,
  entityBatchLingerMs: 20,
  compositionRetryMs: 30_000,
  logLevel: 'info',
} as const;

function positiveInt(key: string, value: number, min = 1): number {
  if (!Number.isInteger(value) || value < min) throw new ConfigError(key, `an integer >= ${min}`, String(value));
  return value;
}

/** Fill defaults and validate, naming the bad key (Apollo/fastify habit: fail at start, not on first request). */
export function resolveGatewayConfig(config: GatewayConfig): ResolvedGatewayConfig {
  if (!Number.isInteger(config.port) || config.port < 0 || config.port > 65535) {
    throw new ConfigError('port', 'an integer from 0 to 65535', String(config.port));
  }
  if (!config.supergraphSource && !config.supergraphPath && config.subgraphs.length === 0) {
    throw new ConfigError('subgraphs', 'at least one subgraph, or supergraphPath, or supergraphSource', '[]');
  }
  const resilience = config.resilience ?? DEFAULT_GATEWAY_RESILIENCE;
  const names = new Set<string>();
  for (const [index, subgraph] of config.subgraphs.entries()) {
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(subgraph.name)) throw new ConfigError(`subgraphs[${index}].name`, 'a GraphQL-safe name', subgraph.name);
    if (names.has(subgraph.name)) throw new ConfigError(`subgraphs[${index}].name`, 'a unique name', subgraph.name);
    names.add(subgraph.name);
    try {
      new URL(subgraph.url);
    } catch {
      throw new ConfigError(`subgraphs[${index}].url`, 'an absolute URL', subgraph.url);
    }
  }
  return {
    port: config.port,
    host: config.host ?? GATEWAY_DEFAULTS.host,
    subgraphs: config.subgraphs,
    supergraphPath: config.supergraphPath,
    watchSupergraphFile: config.watchSupergraphFile ?? GATEWAY_DEFAULTS.watchSupergraphFile,
    supergraphSource: config.supergraphSource,
    maxBodyBytes: positiveInt('maxBodyBytes', config.maxBodyBytes ?? GATEWAY_DEFAULTS.maxBodyBytes),
    batching: config.batching ?? false,
    maxBatchSize: positiveInt('maxBatchSize', config.maxBatchSize ?? GATEWAY_DEFAULTS.maxBatchSize),
    security: config.security,
    databaseUrl: config.databaseUrl,
    auditSpoolDir: config.auditSpoolDir,
    auditBudget: checkAuditBudget(config.auditBudget ?? DEFAULT_AUDIT_BUDGET, resilience.requestTimeoutMs),
    resilience,
    production: config.production,
    introspection: config.introspection ?? !config.production,
    subgraphTimeoutMs: positiveInt('subgraphTimeoutMs', config.subgraphTimeoutMs ?? GATEWAY_DEFAULTS.subgraphTimeoutMs),
    subgraphConnections: positiveInt('subgraphConnections', config.subgraphConnections ?? GATEWAY_DEFAULTS.subgraphConnections),
    dedupeSubgraphRequests: config.dedupeSubgraphRequests ?? GATEWAY_DEFAULTS.dedupeSubgraphRequests,
    entityBatchInFlight: positiveInt('entityBatchInFlight', config.entityBatchInFlight ?? GATEWAY_DEFAULTS.entityBatchInFlight, 0),
    entityBatchMaxRepresentations: positiveInt('entityBatchMaxRepresentations', config.entityBatchMaxRepresentations ?? GATEWAY_DEFAULTS.entityBatchMaxRepresentations),
    entityBatchMaxWaitMs: positiveInt('entityBatchMaxWaitMs', config.entityBatchMaxWaitMs ?? GATEWAY_DEFAULTS.entityBatchMaxWaitMs, 0),
    entityBatchLingerMs: positiveInt('entityBatchLingerMs', config.entityBatchLingerMs ?? GATEWAY_DEFAULTS.entityBatchLingerMs, 0),
    compositionRetryMs: positiveInt('compositionRetryMs', config.compositionRetryMs ?? GATEWAY_DEFAULTS.compositionRetryMs, 0),
    plugins: config.plugins ?? [],
    logLevel: config.logLevel ?? GATEWAY_DEFAULTS.logLevel,
    tracing: config.tracing ?? TRACING_OFF,
    logger: config.logger,
    entityCache: config.entityCache ?? { store: 'auto' },
    persistedQueries: config.persistedQueries ?? DEFAULT_PERSISTED_QUERIES,
  };
}

type Env = Record<string, string | undefined>;

/**
 * The gateway's configuration from the environment:
 *
 * | variable | default |
 * | --- | --- |
 * | PORT | 4000 |
 * | HOST | 127.0.0.1 |
 * | ERP_SUBGRAPH_URL | http://127.0.0.1:4001/graphql |
 * | CRM_SUBGRAPH_URL | http://127.0.0.1:4002/graphql |
 * | MDM_SUBGRAPH_URL | http://127.0.0.1:4003/graphql |
 * | SUPERGRAPH_PATH | unset: compose from the subgraphs at start |
 * | SUPERGRAPH_WATCH | true (reload the file when it changes) |
 * | NODE_ENV | `production` turns production mode on |
 * | GATEWAY_INTROSPECTION | true; in production only callers with the `explore` scope get it (false: nobody) |
 * | LIMIT_MAX_BODY_BYTES (or GATEWAY_MAX_BODY_BYTES) | 102400 |
 * | BATCHING_ENABLED | false |
 * | LIMIT_MAX_BATCH_SIZE | 10 |
 * | AUDIT_DATABASE_URL, else DATABASE_URL | unset: audit records go to the log |
 * | security: AUTH_*, AUTHORIZATION_MODE, LIMIT_*, CONCORD_GATEWAY_PROOF_* | see readSecurityConfig |
 * | AUDIT_SPOOL_DIR | .concord/audit-spool (`off`: none) |
 * | AUDIT_DB_TIMEOUT_MS, AUDIT_SPOOL_RESERVE_MS | 1000, 200; see readAuditBudget |
 * | GATEWAY_REQUEST_TIMEOUT_MS, GATEWAY_MAX_IN_FLIGHT, GATEWAY_SUBGRAPH_MAX_CONCURRENT, GATEWAY_SUBGRAPH_MAX_QUEUED, SUBGRAPH_BREAKER_*, READY_* | see readGatewayResilience |
 * | SUBGRAPH_TIMEOUT_MS | 30000 |
 * | SUBGRAPH_CONNECTIONS | 32 |
 * | SUBGRAPH_DEDUPE | true |
 * | SUBGRAPH_ENTITY_BATCH_IN_FLIGHT | 1 (0: concurrent entity fetches are never merged) |
 * | SUBGRAPH_ENTITY_BATCH_MAX | 500 representations per merged call |
 * | SUBGRAPH_ENTITY_BATCH_MAX_WAIT_MS | 50: the longest a fetch waits for one in flight before it goes anyway |
 * | SUBGRAPH_ENTITY_BATCH_LINGER_MS | 20: the longest a key whose callers come back in rounds holds its next call for them (at most its last call's duration; twice that while they are still arriving; 0: never) |
 * | COMPOSITION_RETRY_MS | 30000 |
 * | LOG_LEVEL | info |
 * | entity cache: ENTITY_CACHE, ENTITY_CACHE_* | see readEntityCacheConfig |
 * | persisted queries: APQ_ENABLED, APQ_MAX_MB, TRUSTED_DOCUMENTS_* | see readPersistedQueriesConfig |
 * | OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_TRACES_EXPORTER, OTEL_SERVICE_NAME, OTEL_SDK_DISABLED | tracing off; see readTracingConfig (service name concord-gateway) |
 */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const production = env.NODE_ENV === 'production';
  const resilience = readGatewayResilience(env);
  return {
    port: readInt(env, 'PORT', 4000, { max: 65535 }),
    host: readString(env, 'HOST', GATEWAY_DEFAULTS.host),
    subgraphs: [
      { name: 'erp', url: readUrl(env, 'ERP_SUBGRAPH_URL', 'http://127.0.0.1:4001/graphql')! },
      { name: 'crm', url: readUrl(env, 'CRM_SUBGRAPH_URL', 'http://127.0.0.1:4002/graphql')! },
      { name: 'mdm', url: readUrl(env, 'MDM_SUBGRAPH_URL', 'http://127.0.0.1:4003/graphql')! },
    ],
    supergraphPath: readString(env, 'SUPERGRAPH_PATH'),
    watchSupergraphFile: readBool(env, 'SUPERGRAPH_WATCH', GATEWAY_DEFAULTS.watchSupergraphFile),
    production,
    // The explore plugin gates it by scope in production; false turns it off for everyone.
    introspection: readBool(env, 'GATEWAY_INTROSPECTION', true),
    maxBodyBytes: readInt(env, 'LIMIT_MAX_BODY_BYTES', readInt(env, 'GATEWAY_MAX_BODY_BYTES', DEFAULT_HTTP_LIMITS.maxBodyBytes, { min: 1024 }), { min: 1024 }),
    batching: readBool(env, 'BATCHING_ENABLED', DEFAULT_HTTP_LIMITS.batching),
    maxBatchSize: readInt(env, 'LIMIT_MAX_BATCH_SIZE', DEFAULT_HTTP_LIMITS.maxBatchSize, { min: 1 }),
    security: readSecurityConfig(env),
    databaseUrl: readUrl(env, 'AUDIT_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    auditSpoolDir: readAuditSpoolDir(env),
    auditBudget: readAuditBudget(env, resilience.requestTimeoutMs),
    resilience,
    subgraphTimeoutMs: readInt(env, 'SUBGRAPH_TIMEOUT_MS', GATEWAY_DEFAULTS.subgraphTimeoutMs, { min: 1 }),
    subgraphConnections: readInt(env, 'SUBGRAPH_CONNECTIONS', GATEWAY_DEFAULTS.subgraphConnections, { min: 1 }),
    dedupeSubgraphRequests: readBool(env, 'SUBGRAPH_DEDUPE', GATEWAY_DEFAULTS.dedupeSubgraphRequests),
    entityBatchInFlight: readInt(env, 'SUBGRAPH_ENTITY_BATCH_IN_FLIGHT', GATEWAY_DEFAULTS.entityBatchInFlight, { min: 0 }),
    entityBatchMaxRepresentations: readInt(env, 'SUBGRAPH_ENTITY_BATCH_MAX', GATEWAY_DEFAULTS.entityBatchMaxRepresentations, { min: 1 }),
    entityBatchMaxWaitMs: readInt(env, 'SUBGRAPH_ENTITY_BATCH_MAX_WAIT_MS', GATEWAY_DEFAULTS.entityBatchMaxWaitMs, { min: 0 }),
    entityBatchLingerMs: readInt(env, 'SUBGRAPH_ENTITY_BATCH_LINGER_MS', GATEWAY_DEFAULTS.entityBatchLingerMs, { min: 0 }),
    compositionRetryMs: readInt(env, 'COMPOSITION_RETRY_MS', GATEWAY_DEFAULTS.compositionRetryMs),
    logLevel: readEnum<LogLevel>(env, 'LOG_LEVEL', ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'], GATEWAY_DEFAULTS.logLevel),
    tracing: readTracingConfig(env, 'concord-gateway'),
    entityCache: readEntityCacheConfig(env),
    persistedQueries: readPersistedQueriesConfig(env),
    consoleDir: readString(env, 'GATEWAY_CONSOLE_DIR'),
  };
}

/** AUDIT_SPOOL_DIR: default .concord/audit-spool (relative to the working directory); `off` turns the spool off. */
function readAuditSpoolDir(env: Env): string | undefined {
  return auditSpoolDirSetting(readString(env, 'AUDIT_SPOOL_DIR', '.concord/audit-spool'));
}

/** An AUDIT_SPOOL_DIR value: `off`, `none` or `false` turn the spool off. */
export function auditSpoolDirSetting(value: string): string | undefined {
  return /^(off|none|false)$/i.test(value) ? undefined : value;
}
