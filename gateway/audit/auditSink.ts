import type { Logger } from 'pino';
import type pg from 'pg';
import { createAuditLog, migrateAudit, type FieldReadRecord } from './auditLog.js';

/** Where the gateway's PII/finance reads go: `record` never blocks the response. */
export interface AuditSink {
  readonly kind: 'database' | 'log';
  record(entry: FieldReadRecord): void;
  /** Writes what is pending (tests read the table after it). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The audit log in PostgreSQL (audit.field_read, migrated here, append-only),
 * written in batches off the request path; failures and drops are logged.
 */
export async function databaseAuditSink(pool: pg.Pool, logger: Logger): Promise<AuditSink> {
  await migrateAudit(pool);
  const log = createAuditLog({ pool, onError: (error) => logger.error({ err: error }, 'audit log write failed') });
  return { kind: 'database', record: (entry) => log.record(entry), flush: () => log.flush(), close: () => log.close() };
}

/** Without a database: each read is a structured log line (`audit: true`), for a log pipeline to keep. */
export function logAuditSink(logger: Logger): AuditSink {
  return {
    kind: 'log',
    record: (entry) => logger.info({ audit: true, ...entry, readAt: (entry.readAt ?? new Date()).toISOString() }, 'field read'),
    flush: async () => {},
    close: async () => {},
  };
}
