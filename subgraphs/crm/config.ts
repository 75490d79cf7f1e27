import { readServingLimits, readSourceResilience, type ServingLimitsConfig, type SourceResilienceConfig, readBool, readInt, readString, readTracingConfig, readUrl, requireString, type TracingConfig } from '../../platform/index.js';
import { readGatewayProofSettings, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';

type Env = Record<string, string | undefined>;

/** The CRM stand-in's address when nothing else is said (ADR 0001: CRM_SANDBOX_PORT 4010). */
export const SANDBOX_CRM_BASE_URL = 'http://127.0.0.1:4010';
/** The token the CRM stand-in accepts by default (its CRM_SANDBOX_TOKENS default). */
export const SANDBOX_CRM_TOKEN = 'pat-concord-sandbox';

/** The CRM subgraph's options, read once at start by {@link loadCrmSubgraphConfig}. */
export interface CrmSubgraphConfig {
  /** CRM_SUBGRAPH_PORT. 0 = a free port (tests). @default 4002 */
  port: number;
  /** HOST. @default '127.0.0.1' (never all interfaces unless asked) */
  host: string;
  /** CRM_BASE_URL: the HubSpot API root. HubSpot: https://api.hubapi.com. @default http://127.0.0.1:4010 (the stand-in) */
  baseUrl: string;
  /**
   * CRM_TOKEN: a HubSpot private-app access token with the CRM read scopes.
   * Required when CRM_BASE_URL is set; against the default stand-in it
   * defaults to the stand-in's token, 'pat-concord-sandbox'.
   */
  token: string;
  /** CRM_TIMEOUT_MS: time allowed for one CRM call attempt. @default 10000 */
  timeoutMs: number;
  /** CRM_MAX_ATTEMPTS: attempts per CRM call, the first included. @default 3 */
  maxAttempts: number;
  /**
   * CRM_MAX_RETRY_AFTER_MS: the longest Retry-After waited out on a 429; a
   * longer one answers CRM_RATE_LIMITED at once. @default 5000
   */
  maxRetryAfterMs: number;
  /** CONCORD_PRODUCTION (default: NODE_ENV=production): no stack traces, no introspection. */
  production: boolean;
  /**
   * How the gateway's proof is checked on every request (ADR 0003):
   * CONCORD_GATEWAY_PROOF_SECRET (shared, ≥ 32 characters) or
   * CONCORD_GATEWAY_PROOF_PUBLIC_KEY (Ed25519 SPKI PEM). Required: the
   * subgraph refuses to start without one.
   */
  gatewayProof: GatewayProofSettings;
  /** OTEL_* (see readTracingConfig): spans for requests and CRM calls. @default off; service name concord-subgraph-crm */
  tracing: TracingConfig;
  /** CRM_BREAKER_FAILURES, CRM_BREAKER_HALF_OPEN_MS, CRM_MAX_CONCURRENT, CRM_MAX_QUEUED: the CRM's breaker and bulkhead. */
  resilience: SourceResilienceConfig;
  /** SUBGRAPH_MAX_IN_FLIGHT, SUBGRAPH_DEFAULT_BUDGET_MS, SUBGRAPH_MAX_BUDGET_MS, READY_TIMEOUT_MS. */
  serving: ServingLimitsConfig;
  /** The CRM app's rate budget, shared by every call of this subgraph (and its replicas with Redis). */
  rateBudget: CrmRateBudgetConfig;
}

export interface CrmRateBudgetConfig {
  /**
   * CRM_RATE_BURST: calls per CRM_RATE_WINDOW_MS; 0 turns the budget off.
   * HubSpot private apps: 100 or 190. @default 100 with CRM_BASE_URL set (a
   * real HubSpot), 0 against the default stand-in, which limits nothing
   * unless CRM_SANDBOX_RATE_LIMIT says so (then set this to match)
   */
  burst: number;
  /** CRM_RATE_WINDOW_MS: HubSpot's rolling window. @default 10000 */
  windowMs: number;
  /** CRM_RATE_DAILY: calls per UTC day; 0 = none. HubSpot's smallest daily limit: 250000. @default 250000 */
  daily: number;
  /** CRM_RATE_MARGIN_MS: slack between a slot leaving the window and its reuse (network jitter). @default 100 */
  marginMs: number;
  /** CRM_RATE_REDIS_URL: share the budget across replicas through Redis (e.g. redis://127.0.0.1:6379). @default in memory */
  redisUrl?: string;
  /** CRM_RATE_KEY: the budget's name in Redis: one per CRM app (token). @default 'default' */
  key: string;
}

export function readCrmRateBudget(env: Env): CrmRateBudgetConfig {
  const realCrm = readUrl(env, 'CRM_BASE_URL') !== undefined;
  return {
    burst: readInt(env, 'CRM_RATE_BURST', realCrm ? 100 : 0, { min: 0, max: 1_000_000 }),
    windowMs: readInt(env, 'CRM_RATE_WINDOW_MS', 10_000, { min: 1, max: 3_600_000 }),
    daily: readInt(env, 'CRM_RATE_DAILY', 250_000, { min: 0, max: 1_000_000_000 }),
    marginMs: readInt(env, 'CRM_RATE_MARGIN_MS', 100, { min: 0, max: 60_000 }),
    redisUrl: readUrl(env, 'CRM_RATE_REDIS_URL'),
    key: readString(env, 'CRM_RATE_KEY', 'default'),
  };
}

export function loadCrmSubgraphConfig(env: Env): CrmSubgraphConfig {
  const configuredUrl = readUrl(env, 'CRM_BASE_URL');
  return {
    port: readInt(env, 'CRM_SUBGRAPH_PORT', 4002, { max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    baseUrl: configuredUrl ?? SANDBOX_CRM_BASE_URL,
    // A real CRM must be given its token: sending the sandbox's to HubSpot
    // would only fail later, on the first query, with a 401.
    token: configuredUrl === undefined ? readString(env, 'CRM_TOKEN', SANDBOX_CRM_TOKEN) : requireString(env, 'CRM_TOKEN'),
    timeoutMs: readInt(env, 'CRM_TIMEOUT_MS', 10_000, { min: 1, max: 300_000 }),
    maxAttempts: readInt(env, 'CRM_MAX_ATTEMPTS', 3, { min: 1, max: 10 }),
    maxRetryAfterMs: readInt(env, 'CRM_MAX_RETRY_AFTER_MS', 5_000, { min: 0, max: 60_000 }),
    production: readBool(env, 'CONCORD_PRODUCTION', env.NODE_ENV === 'production'),
    gatewayProof: readGatewayProofSettings(env),
    tracing: readTracingConfig(env, 'concord-subgraph-crm'),
    resilience: readSourceResilience(env, 'CRM'),
    serving: readServingLimits(env),
    rateBudget: readCrmRateBudget(env),
  };
}
