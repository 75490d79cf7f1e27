import path from 'node:path';
import { readReconcileConfig, type ReconcileConfig } from '../reconcile/index.js';
import { readInt, readString, readUrl, readBool, readTracingConfig, type TracingConfig } from '../platform/config.js';
import { auditSpoolDirSetting, loadGatewayConfig, type GatewayConfig } from '../gateway/config.js';
import type { GatewaySecurityConfig } from '../gateway/security/securityConfig.js';
import { parseTokenList } from '../schema/registry/config.js';
import type { TokenGrant } from '../schema/registry/store/index.js';
import { loadEventsConfig, type EventsConfig } from '../events/config.js';

/**
 * What `concord start` runs: every part of Concord plus the sandbox source
 * systems, in one process, each on its own port and talking over real HTTP and
 * the Postgres wire protocol. Read from the environment; every variable is
 * optional.
 */
export interface StackConfig {
  /** A PostgreSQL URL; unset runs the embedded PGlite. (`DATABASE_URL`) */
  databaseUrl?: string;
  /** Interface every server binds. @default 127.0.0.1 (`HOST`) */
  host: string;
  ports: {
    /** @default 4000 (`PORT`) */
    gateway: number;
    /** @default 4001 (`ERP_SUBGRAPH_PORT`) */
    erp: number;
    /** @default 4002 (`CRM_SUBGRAPH_PORT`) */
    crm: number;
    /** @default 4003 (`MDM_SUBGRAPH_PORT`) */
    mdm: number;
    /** @default 4004 (`QUALITY_SUBGRAPH_PORT`) */
    quality: number;
    /** @default 4010 (`CRM_SANDBOX_PORT`) */
    crmSandbox: number;
    /** @default 4020 (`REGISTRY_PORT`) */
    registry: number;
    /** The CRM webhook receiver (live changes). @default 4011 (`CRM_WEBHOOK_PORT`) */
    crmWebhooks: number;
    /** @default 5499 (`PGLITE_PORT`); away from a real server's 5432 */
    pglite: number;
  };
  seed: {
    /** @default 42 (`SEED`) */
    seed: number;
    /** @default 2000 (`SEED_COMPANIES`) — a demo that boots in seconds */
    companies: number;
  };
  /** The CRM stand-in's private-app token, also handed to the CRM subgraph. @default pat-concord-sandbox (`CRM_TOKEN`) */
  crmToken: string;
  /** The reconciliation's rules, schedule and comment limit (`RECON_*`, see reconcile/config.ts). */
  reconcile: ReconcileConfig;
  /** Production mode: no stack traces, introspection gated by scope. @default false (`NODE_ENV=production`) */
  production: boolean;
  /** Keep the embedded database on disk here between runs; unset keeps it in memory. (`CONCORD_DATA_DIR`) */
  dataDir?: string;
  /** Start the schema registry and let the gateway follow it. @default true (`CONCORD_REGISTRY`) */
  registry: boolean;
  /** How the embedded registry runs (ignored when `registry` is false). See stack/registry.ts. */
  registrySettings: {
    /**
     * Tokens to use instead of generated ones, by role: the first admin, the
     * first gateway token, each team's first publish token; roles left out are
     * generated anew on every start. (`REGISTRY_TOKENS`, `scope:team:token,…`)
     */
    tokens: TokenGrant[];
    /** Where the tokens are written for the operator (mode 0600); unset writes none. @default .concord/registry-tokens.json (`CONCORD_REGISTRY_TOKENS_FILE`; `none`: no file) */
    tokensFile?: string;
    /**
     * The gateway's long-poll of the registry: held up to this long and
     * answered at once on a publish, so a new supergraph serves within a
     * fraction of a second. 0 polls every `pollIntervalMs` instead. @default 25000 (`REGISTRY_LONG_POLL_MS`)
     */
    longPollMs: number;
    /** Pause between polls (plain polling, or after a failed long-poll). @default 1000 (`REGISTRY_POLL_INTERVAL_MS`) */
    pollIntervalMs: number;
    /** How often the gateway sends recorded operation usage to the registry. @default 5000 (`REGISTRY_USAGE_FLUSH_MS`) */
    usageFlushMs: number;
    /** @default 30 (`REGISTRY_USAGE_RETENTION_DAYS`) */
    usageRetentionDays: number;
  };
  /**
   * OpenTelemetry tracing of the gateway and the three subgraphs, from the
   * standard OTEL_* variables (readTracingConfig): set
   * OTEL_EXPORTER_OTLP_ENDPOINT and every one of them exports. Each keeps a
   * service name of its own (concord-gateway, concord-subgraph-erp, -crm,
   * -mdm); OTEL_SERVICE_NAME renames the gateway only, since one name for
   * four services in one process would make them indistinguishable.
   * @default off for all four
   */
  tracing: Record<'gateway' | 'erp' | 'crm' | 'mdm' | 'quality', TracingConfig>;
  /**
   * Live master data: ERP and CRM changes reach the golden records through
   * change capture (events/). Off, the golden records are those of the load
   * at start. @default true (`CONCORD_LIVE_CHANGES`)
   */
  liveChanges: boolean;
  /** The change-capture pipeline's settings (events/config.ts: NATS_URL, CDC_*). */
  events: EventsConfig;
  /**
   * The gateway's security and request limits, read as the gateway reads
   * them (loadGatewayConfig: AUTH_*, AUTHORIZATION_MODE, LIMIT_*,
   * BATCHING_ENABLED, CONCORD_GATEWAY_PROOF_*). Without a proof secret in the
   * environment the stack generates one per start and hands it to the
   * gateway and every subgraph.
   */
  gateway: {
    security: GatewaySecurityConfig;
    /** The gateway's log level. @default info (`LOG_LEVEL`) */
    logLevel: NonNullable<GatewayConfig['logLevel']>;
    maxBodyBytes: number;
    batching: boolean;
    maxBatchSize: number;
    introspection: boolean;
    /** The audit log's database. @default the stack's database (`AUDIT_DATABASE_URL`) */
    auditDatabaseUrl?: string;
    /**
     * Where each gateway of the stack spools audit records while the audit
     * database cannot take them (a folder per gateway beneath it). @default
     * `$CONCORD_DATA_DIR/audit-spool` when CONCORD_DATA_DIR is set, else none
     * (`AUDIT_SPOOL_DIR`; `off`: none). Not `.concord/audit-spool` as for a
     * gateway run alone: stacks started side by side (tests, a second
     * `npm start`) would share it, and one would replay another's records.
     */
    auditSpoolDir?: string;
    /** AUDIT_DB_TIMEOUT_MS, AUDIT_SPOOL_RESERVE_MS (ADR 0011). */
    auditBudget: NonNullable<GatewayConfig['auditBudget']>;
    /** GATEWAY_REQUEST_TIMEOUT_MS, the in-flight cap, subgraph breakers and bulkheads (ADR 0011). */
    resilience: NonNullable<GatewayConfig['resilience']>;
    /** ENTITY_CACHE_* (on by default in the stack: it hands the gateway its change feed). */
    entityCache: NonNullable<GatewayConfig['entityCache']>;
    /** APQ_*, TRUSTED_DOCUMENTS_*. */
    persistedQueries: NonNullable<GatewayConfig['persistedQueries']>;
  };
}

export function loadStackConfig(env: Record<string, string | undefined> = process.env): StackConfig {
  const gateway = loadGatewayConfig(env);
  const tokensFile = readString(env, 'CONCORD_REGISTRY_TOKENS_FILE', '.concord/registry-tokens.json');
  const { OTEL_SERVICE_NAME: _gatewayServiceName, ...subgraphEnv } = env;
  return {
    databaseUrl: readUrl(env, 'DATABASE_URL'),
    host: readString(env, 'HOST', '127.0.0.1'),
    ports: {
      gateway: readInt(env, 'PORT', 4000, { max: 65535 }),
      erp: readInt(env, 'ERP_SUBGRAPH_PORT', 4001, { max: 65535 }),
      crm: readInt(env, 'CRM_SUBGRAPH_PORT', 4002, { max: 65535 }),
      mdm: readInt(env, 'MDM_SUBGRAPH_PORT', 4003, { max: 65535 }),
      quality: readInt(env, 'QUALITY_SUBGRAPH_PORT', 4004, { max: 65535 }),
      crmSandbox: readInt(env, 'CRM_SANDBOX_PORT', 4010, { max: 65535 }),
      registry: readInt(env, 'REGISTRY_PORT', 4020, { max: 65535 }),
      crmWebhooks: readInt(env, 'CRM_WEBHOOK_PORT', 4011, { max: 65535 }),
      pglite: readInt(env, 'PGLITE_PORT', 5499, { max: 65535 }),
    },
    seed: {
      seed: readInt(env, 'SEED', 42),
      companies: readInt(env, 'SEED_COMPANIES', 2000, { min: 10, max: 2_000_000 }),
    },
    crmToken: readString(env, 'CRM_TOKEN', 'pat-concord-sandbox'),
    reconcile: readReconcileConfig(env as NodeJS.ProcessEnv),
    production: readString(env, 'NODE_ENV') === 'production',
    dataDir: readString(env, 'CONCORD_DATA_DIR'),
    registry: readBool(env, 'CONCORD_REGISTRY', true),
    tracing: {
      gateway: gateway.tracing!,
      erp: readTracingConfig(subgraphEnv, 'concord-subgraph-erp'),
      crm: readTracingConfig(subgraphEnv, 'concord-subgraph-crm'),
      mdm: readTracingConfig(subgraphEnv, 'concord-subgraph-mdm'),
      quality: readTracingConfig(subgraphEnv, 'concord-subgraph-quality'),
    },
    liveChanges: readBool(env, 'CONCORD_LIVE_CHANGES', true),
    events: loadEventsConfig(env),
    registrySettings: {
      tokens: parseTokenList(readString(env, 'REGISTRY_TOKENS', '')),
      tokensFile: tokensFile === 'none' ? undefined : tokensFile,
      longPollMs: readInt(env, 'REGISTRY_LONG_POLL_MS', 25_000, { min: 0, max: 30_000 }),
      pollIntervalMs: readInt(env, 'REGISTRY_POLL_INTERVAL_MS', 1_000, { min: 50, max: 60_000 }),
      usageFlushMs: readInt(env, 'REGISTRY_USAGE_FLUSH_MS', 5_000, { min: 50, max: 600_000 }),
      usageRetentionDays: readInt(env, 'REGISTRY_USAGE_RETENTION_DAYS', 30, { min: 1, max: 3650 }),
    },
    gateway: {
      security: gateway.security!,
      logLevel: gateway.logLevel!,
      maxBodyBytes: gateway.maxBodyBytes!,
      batching: gateway.batching!,
      maxBatchSize: gateway.maxBatchSize!,
      introspection: gateway.introspection!,
      auditDatabaseUrl: readUrl(env, 'AUDIT_DATABASE_URL'),
      auditSpoolDir: stackAuditSpoolDir(env),
      auditBudget: gateway.auditBudget!,
      resilience: gateway.resilience!,
      entityCache: gateway.entityCache!,
      persistedQueries: gateway.persistedQueries!,
    },
  };
}

function stackAuditSpoolDir(env: Record<string, string | undefined>): string | undefined {
  const explicit = readString(env, 'AUDIT_SPOOL_DIR');
  if (explicit !== undefined) return auditSpoolDirSetting(explicit);
  const dataDir = readString(env, 'CONCORD_DATA_DIR');
  return dataDir ? path.join(dataDir, 'audit-spool') : undefined;
}
