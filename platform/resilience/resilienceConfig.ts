import { readBool, readInt } from '../config.js';

type Env = Record<string, string | undefined>;

/** How a subgraph guards one source (the breaker and bulkhead of createSourceGuard). */
export interface SourceResilienceConfig {
  /** <P>_BREAKER_FAILURES: consecutive outage failures that open the circuit. @default 5 */
  breakerFailures: number;
  /** <P>_BREAKER_HALF_OPEN_MS: how long it stays open before one probe. @default 5000 */
  breakerHalfOpenMs: number;
  /** <P>_MAX_CONCURRENT: calls to the source at once (bulkhead). @default 32 */
  maxConcurrent: number;
  /** <P>_MAX_QUEUED: calls waiting for a bulkhead slot. @default 64 */
  maxQueued: number;
}

/** A subgraph's database timeouts (see PoolOptions). */
export interface DatabaseTimeoutConfig {
  /** <P>_DB_CONNECT_TIMEOUT_MS. @default 5000 */
  connectionTimeoutMs: number;
  /** <P>_DB_QUERY_TIMEOUT_MS: client-side bound per statement, cut to the request budget. @default 30000 */
  queryTimeoutMs: number;
  /** <P>_DB_STATEMENT_TIMEOUTS: set statement_timeout from the budget (off on the embedded PGlite). @default true */
  statementTimeouts: boolean;
}

/** What every subgraph server accepts (see SubgraphServerOptions). */
export interface ServingLimitsConfig {
  /** SUBGRAPH_MAX_IN_FLIGHT: requests at once; more get 503 SUBGRAPH_OVERLOADED. @default 256 */
  maxInFlight: number;
  /** SUBGRAPH_DEFAULT_BUDGET_MS: budget of a request without x-concord-budget-ms. @default 10000 */
  defaultBudgetMs: number;
  /** SUBGRAPH_MAX_BUDGET_MS: the most a budget header may ask. @default 30000 */
  maxBudgetMs: number;
  /** READY_TIMEOUT_MS: how long /ready waits for the sources. @default 1000 */
  readyTimeoutMs: number;
}

export function readSourceResilience(env: Env, prefix: string): SourceResilienceConfig {
  return {
    breakerFailures: readInt(env, `${prefix}_BREAKER_FAILURES`, 5, { min: 1, max: 1000 }),
    breakerHalfOpenMs: readInt(env, `${prefix}_BREAKER_HALF_OPEN_MS`, 5_000, { min: 10, max: 600_000 }),
    maxConcurrent: readInt(env, `${prefix}_MAX_CONCURRENT`, 32, { min: 1, max: 10_000 }),
    maxQueued: readInt(env, `${prefix}_MAX_QUEUED`, 64, { min: 0, max: 100_000 }),
  };
}

export function readDatabaseTimeouts(env: Env, prefix: string): DatabaseTimeoutConfig {
  return {
    connectionTimeoutMs: readInt(env, `${prefix}_DB_CONNECT_TIMEOUT_MS`, 5_000, { min: 1, max: 600_000 }),
    queryTimeoutMs: readInt(env, `${prefix}_DB_QUERY_TIMEOUT_MS`, 30_000, { min: 1, max: 3_600_000 }),
    statementTimeouts: readBool(env, `${prefix}_DB_STATEMENT_TIMEOUTS`, true),
  };
}

export function readServingLimits(env: Env): ServingLimitsConfig {
  return {
    maxInFlight: readInt(env, 'SUBGRAPH_MAX_IN_FLIGHT', 256, { min: 1, max: 100_000 }),
    defaultBudgetMs: readInt(env, 'SUBGRAPH_DEFAULT_BUDGET_MS', 10_000, { min: 1, max: 600_000 }),
    maxBudgetMs: readInt(env, 'SUBGRAPH_MAX_BUDGET_MS', 30_000, { min: 1, max: 600_000 }),
    readyTimeoutMs: readInt(env, 'READY_TIMEOUT_MS', 1_000, { min: 1, max: 60_000 }),
  };
}

export const DEFAULT_SOURCE_RESILIENCE: SourceResilienceConfig = readSourceResilience({}, 'X');
export const DEFAULT_DATABASE_TIMEOUTS: DatabaseTimeoutConfig = readDatabaseTimeouts({}, 'X');
export const DEFAULT_SERVING_LIMITS: ServingLimitsConfig = readServingLimits({});
