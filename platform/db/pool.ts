import type { Tracer } from '@opentelemetry/api';
import pg from 'pg';
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
}

export function createPool(options: PoolOptions): pg.Pool {
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.max ?? 10,
    application_name: options.applicationName,
    idleTimeoutMillis: 30_000,
  });
  // An idle client that loses its server emits 'error' on the pool; without a
  // listener that would crash the process instead of failing one query later.
  pool.on('error', () => {});
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
