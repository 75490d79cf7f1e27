import { ConfigError, readInt } from '../../platform/config.js';
import { AUDIT_TIME_DEFAULTS } from './durableAuditLog.js';

type Env = Record<string, string | undefined>;

/**
 * How an audited answer's time is split between the audit database and the
 * spool (ADR 0011). The answer waits for its record, and never past the
 * request's deadline: the database gets at most
 * `min(databaseTimeoutMs, time left − spoolReserveMs)`, the spool the rest.
 *
 * | variable | default | why |
 * | --- | --- | --- |
 * | AUDIT_DB_TIMEOUT_MS | 1000 | one database attempt, connection and INSERT together (a healthy one takes about a millisecond); also each pool connection and statement of the replay |
 * | AUDIT_SPOOL_RESERVE_MS | 200 | kept back of the request's time for the spool's append + fsync (0.5 ms median, 13 ms worst measured; the rest is for a busy event loop); below GATEWAY_REQUEST_TIMEOUT_MS |
 */
export interface AuditBudgetConfig {
  databaseTimeoutMs: number;
  spoolReserveMs: number;
}

export const DEFAULT_AUDIT_BUDGET: AuditBudgetConfig = { ...AUDIT_TIME_DEFAULTS };

/** Reads the split from the environment; the reserve must leave the database some of the request's time. */
export function readAuditBudget(env: Env, requestTimeoutMs: number): AuditBudgetConfig {
  const config = {
    databaseTimeoutMs: readInt(env, 'AUDIT_DB_TIMEOUT_MS', DEFAULT_AUDIT_BUDGET.databaseTimeoutMs, { min: 1, max: 60_000 }),
    spoolReserveMs: readInt(env, 'AUDIT_SPOOL_RESERVE_MS', DEFAULT_AUDIT_BUDGET.spoolReserveMs, { min: 0, max: 60_000 }),
  };
  if (config.spoolReserveMs >= requestTimeoutMs) {
    throw new ConfigError('AUDIT_SPOOL_RESERVE_MS', `an integer below GATEWAY_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`, String(config.spoolReserveMs));
  }
  return config;
}

/** The same checks for a config object (startGateway without the environment), naming the bad key. */
export function checkAuditBudget(config: AuditBudgetConfig, requestTimeoutMs: number): AuditBudgetConfig {
  if (!Number.isInteger(config.databaseTimeoutMs) || config.databaseTimeoutMs < 1) {
    throw new ConfigError('auditBudget.databaseTimeoutMs', 'an integer >= 1', String(config.databaseTimeoutMs));
  }
  if (!Number.isInteger(config.spoolReserveMs) || config.spoolReserveMs < 0 || config.spoolReserveMs >= requestTimeoutMs) {
    throw new ConfigError('auditBudget.spoolReserveMs', `an integer from 0 to below resilience.requestTimeoutMs (${requestTimeoutMs})`, String(config.spoolReserveMs));
  }
  return config;
}
