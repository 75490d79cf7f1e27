import type pg from 'pg';
import type { ServiceMetrics } from '../metrics/index.js';
import { createSourceGuard, type SourceGuard, type SourceGuardLogger } from '../resilience/sourceGuard.js';
import { DEFAULT_DATABASE_TIMEOUTS, DEFAULT_SOURCE_RESILIENCE, type DatabaseTimeoutConfig, type SourceResilienceConfig } from '../resilience/resilienceConfig.js';
import type { Tracer } from '@opentelemetry/api';
import { isDatabaseOutage } from './outage.js';
import { createPool } from './pool.js';

/**
 * A subgraph's database as a guarded source: one pg pool whose every
 * `pool.query` runs through the source's breaker and bulkhead, within the
 * request's budget, with the pool's usage in the service's metrics.
 */
export function createDatabaseSource(options: {
  source: string;
  connectionString: string;
  poolSize: number;
  applicationName: string;
  metrics: ServiceMetrics;
  resilience?: SourceResilienceConfig;
  timeouts?: DatabaseTimeoutConfig;
  tracer?: Tracer;
  logger?: SourceGuardLogger;
}): { pool: pg.Pool; guard: SourceGuard } {
  const resilience = options.resilience ?? DEFAULT_SOURCE_RESILIENCE;
  const timeouts = options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS;
  const guard = createSourceGuard({
    source: options.source,
    consecutiveFailures: resilience.breakerFailures,
    halfOpenAfterMs: resilience.breakerHalfOpenMs,
    maxConcurrent: resilience.maxConcurrent,
    maxQueued: resilience.maxQueued,
    isOutage: isDatabaseOutage,
    outcomeOf: (error) => (isDatabaseOutage(error) ? 'timeout' : 'error'),
    metrics: options.metrics,
    logger: options.logger,
  });
  const pool = createPool({
    connectionString: options.connectionString,
    max: options.poolSize,
    applicationName: options.applicationName,
    tracer: options.tracer,
    connectionTimeoutMs: timeouts.connectionTimeoutMs,
    queryTimeoutMs: timeouts.queryTimeoutMs,
    statementTimeouts: timeouts.statementTimeouts,
    guard,
    metrics: { registry: options.metrics, name: options.source },
  });
  return { pool, guard };
}
