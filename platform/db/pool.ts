import type { Tracer } from '@opentelemetry/api';
import pg from 'pg';
import { currentBudget, DeadlineExceededError, stepTimeoutMs } from '../deadline/index.js';
import type { ServiceMetrics } from '../metrics/index.js';
import type { SourceGuard } from '../resilience/index.js';
import { traceQueries } from './queryTracing.js';

/**
 * One pg pool per service and database. Every service talks to PostgreSQL
 * through `pg`, whether the server is a real PostgreSQL or the embedded PGlite
 * served over the wire protocol, so the SQL paths are the same in both.
 */
export interface PoolOptions {
  connectionString: string;
  /** @default 10 */
  max?: number;
  /** Tag shown in pg_stat_activity. */
  applicationName?: string;
  /** A span per `pool.query` statement (the service's tracer when tracing is on). @default none: the pool is untouched */
  tracer?: Tracer;
  /**
   * Longest wait for a new connection (TCP connect + startup). A server that
   * accepts but never answers (frozen) otherwise holds a caller forever.
   * @default 5000
   */
  connectionTimeoutMs?: number;
  /**
   * Longest wait for one statement's answer, measured by the client: the
   * bound that still holds when the server cannot cancel anything because it
   * is frozen. Within a request it is cut to the request's budget. @default 30000
   */
  queryTimeoutMs?: number;
  /**
   * Within a request, also set the server's `statement_timeout` to what is
   * left of its budget before each statement, so a slow query is cancelled
   * by PostgreSQL itself and stops using the server. Off for the embedded
   * PGlite, where every connection shares one session (a SET would reach
   * other callers' statements). @default true
   */
  statementTimeouts?: boolean;
  /** Every statement sent through `pool.query` goes through this source's breaker and bulkhead. */
  guard?: SourceGuard;
  /** Pool usage (total, idle, waiting) under this name in concord_db_pool_connections. */
  metrics?: { registry: ServiceMetrics; name: string };
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5_000,
  });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener that would crash the process instead of failing one query later.
  pool.on('error', () => {});
  // A client checked out of the pool has no 'error' listener (pg-pool removes
  // its idle one at checkout; only its own pool.query, which budgetQueries
  // replaces, adds one per query), so a connection reset while a statement or
  // transaction runs — a database that goes away under load — was an uncaught
  // 'error' that killed the process (issue 11: the gateway died when its audit
  // database went down). The statement itself still fails with the error, and
  // a client that is no longer queryable is dropped by the pool on release.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  budgetQueries(pool, {
    queryTimeoutMs: options.queryTimeoutMs ?? 30_000,
    connectionTimeoutMs: options.connectionTimeoutMs ?? 5_000,
    statementTimeouts: options.statementTimeouts ?? true,
    guard: options.guard,
  });
  if (options.metrics) observePool(pool, options.metrics.registry, options.metrics.name);
  if (options.tracer) traceQueries(pool, options.tracer, options.connectionString);
  return pool;
}

/** Quotes an SQL identifier (schema names come from config, never from users). */
export function quoteIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`invalid SQL identifier "${name}": expected letters, digits and underscores`);
  }
  return `"${name}"`;
}

type QueryArgs = unknown[];

/** The statement_timeout a pooled client was last given by a budgeted statement (absent: the server's default). */
const statementTimeoutOf = new WeakMap<pg.PoolClient, number>();

/**
 * Replaces `pool.query` (promise form) with one that honours the request's
 * budget: the wait for a connection and for the answer are both cut to what
 * is left of it, the server's statement_timeout is set from it, and a
 * statement whose answer never came is not left on a connection that would
 * be reused (the connection is destroyed). `pool.connect` callers
 * (transactions) get a client whose statement_timeout is back to the default.
 */
function budgetQueries(
  pool: pg.Pool,
  options: { queryTimeoutMs: number; connectionTimeoutMs: number; statementTimeouts: boolean; guard?: SourceGuard },
): void {
  const originalConnect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;

  async function connectWithin(limitMs: number): Promise<pg.PoolClient> {
    let timer: NodeJS.Timeout | undefined;
    let late = false;
    const pending = originalConnect();
    try {
      return await Promise.race([
        pending,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            late = true;
            reject(new DeadlineExceededError('waiting for a database connection', 0));
          }, Math.max(1, limitMs));
        }),
      ]);
    } finally {
      clearTimeout(timer);
      // A connection that arrives after the caller gave up goes straight back.
      if (late) pending.then((client) => client.release(), () => {});
    }
  }

  async function statement(args: QueryArgs): Promise<pg.QueryResult> {
    const budgeted = currentBudget() !== undefined;
    const limit = stepTimeoutMs(options.queryTimeoutMs) ?? options.queryTimeoutMs;
    if (limit <= 0) throw new DeadlineExceededError('SQL statement', limit);
    const client = await connectWithin(Math.min(limit, options.connectionTimeoutMs));
    let broken: Error | undefined;
    try {
      const left = stepTimeoutMs(options.queryTimeoutMs) ?? options.queryTimeoutMs;
      if (left <= 0) throw new DeadlineExceededError('SQL statement', left);
      if (options.statementTimeouts) await setStatementTimeout(client, budgeted ? Math.max(1, Math.floor(left)) : undefined, left);
      const [first, values] = args as [string | pg.QueryConfig, unknown[] | undefined];
      const config: pg.QueryConfig & { query_timeout?: number } =
        typeof first === 'string' ? { text: first, values } : { ...first, values: values ?? first.values };
      config.query_timeout = Math.max(1, Math.ceil(left));
      return await client.query(config);
    } catch (error) {
      if ((error as Error).message === 'Query read timeout') {
        broken = error as Error;
        throw new DeadlineExceededError('SQL statement (no answer from the server)', 0);
      }
      throw error;
    } finally {
      client.release(broken);
    }
  }

  const query = (...args: QueryArgs): unknown => {
    if (typeof args[args.length - 1] === 'function') {
      return (pool.constructor as typeof pg.Pool).prototype.query.apply(pool, args as never);
    }
    return options.guard ? options.guard.run(() => statement(args)) : statement(args);
  };
  pool.query = query as typeof pool.query;

  if (options.statementTimeouts) {
    pool.connect = (async (...args: unknown[]) => {
      if (args.length) return (originalConnect as (...a: unknown[]) => unknown)(...args);
      const client = await originalConnect();
      if (statementTimeoutOf.has(client)) await setStatementTimeout(client, undefined, options.queryTimeoutMs);
      return client;
    }) as typeof pool.connect;
  }
}

/**
 * How far past what is left of the budget a statement_timeout the connection
 * already holds may reach and still be kept: a tenth of what is left, between
 * 50 and 250 ms. Budgets only shrink, so an exact value needed a round trip
 * before nearly every statement (4.3 per deep-list answer in the gateway
 * benchmark). The price, only for a statement that outlives its budget: the
 * client gives up at the exact budget (query_timeout) and destroys the
 * connection, and the server runs the statement at most this much longer
 * before it cancels it itself — hence the cap.
 */
function statementTimeoutSlackMs(leftMs: number): number {
  return Math.min(250, Math.max(50, Math.floor(leftMs / 10)));
}

/** Sets (ms) or resets (undefined) a client's statement_timeout, skipping the round trip when what it holds is close enough above. */
async function setStatementTimeout(client: pg.PoolClient, ms: number | undefined, answerWithinMs: number): Promise<void> {
  const current = statementTimeoutOf.get(client);
  if (ms === current) return;
  if (ms !== undefined && current !== undefined && current >= ms && current - ms <= statementTimeoutSlackMs(ms)) return;
  const config: pg.QueryConfig & { query_timeout?: number } = ms === undefined
    ? { text: 'SET statement_timeout TO DEFAULT' }
    : { text: `SELECT set_config('statement_timeout', $1, false)`, values: [`${ms}ms`] };
  config.query_timeout = Math.max(1, Math.ceil(answerWithinMs));
  await client.query(config);
  if (ms === undefined) statementTimeoutOf.delete(client);
  else statementTimeoutOf.set(client, ms);
}

function observePool(pool: pg.Pool, metrics: ServiceMetrics, name: string): void {
  const gauge = metrics.poolConnections;
  // Collected on scrape: prom-client calls collect() before rendering.
  const previous = (gauge as unknown as { collect?: () => void }).collect;
  (gauge as unknown as { collect: () => void }).collect = () => {
    previous?.call(gauge);
    gauge.labels(name, 'total').set(pool.totalCount);
    gauge.labels(name, 'idle').set(pool.idleCount);
    gauge.labels(name, 'waiting').set(pool.waitingCount);
  };
}
