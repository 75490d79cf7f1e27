import type { Logger } from 'pino';
import type pg from 'pg';
import { migrateAudit, type FieldReadRecord } from './auditLog.js';
import { openAuditSpool } from './auditSpool.js';
import { createDurableAuditLog, type AuditRecordOptions, type AuditStored } from './durableAuditLog.js';

/** Where the gateway's PII/finance reads go. */
export interface AuditSink {
  readonly kind: 'database' | 'log';
  /**
   * Resolves once the record is stored for good (the database or the spool;
   * the log line written), never after `options.deadline`; rejects
   * (AuditUnavailableError) when it could not be — the caller then withholds
   * the audited fields.
   */
  record(entry: FieldReadRecord, options?: AuditRecordOptions): Promise<AuditStored | 'log'>;
  /** Replays spooled records into the database now (tests, shutdown). */
  flush(): Promise<void>;
  /** Records in the local spool not yet replayed into the database (0 without a spool): the backlog an operator watches. */
  spoolBacklog(): number;
  close(): Promise<void>;
}

/**
 * The audit log in PostgreSQL (audit.field_read, append-only), durable before
 * the answer leaves: written by group commit, or fsync'ed to the spool in
 * `spoolDir` while the database cannot take it, and replayed exactly once
 * when it can (ADR 0011). The migration is retried until the database
 * answers, so a gateway can start while its audit database is down.
 */
export async function databaseAuditSink(
  pool: pg.Pool,
  logger: Logger,
  options: { spoolDir?: string; databaseTimeoutMs?: number; spoolReserveMs?: number } = {},
): Promise<AuditSink> {
  let migrated: Promise<unknown> | undefined;
  const ensureMigrated = () => {
    migrated ??= migrateAudit(pool).catch((error: unknown) => {
      migrated = undefined;
      throw error;
    });
    return migrated;
  };
  await ensureMigrated().catch((error: unknown) => logger.error({ err: error }, 'audit database not ready at start: reads are spooled until it is'));
  const spool = options.spoolDir ? await openAuditSpool(options.spoolDir) : undefined;
  if (spool && spool.pending() > 0) logger.warn({ pending: spool.pending(), dir: spool.dir }, 'audit spool holds records from an earlier run: replaying them');
  const migratedPool = new Proxy(pool, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver);
      return async (...args: unknown[]) => {
        await ensureMigrated();
        return (target.query as (...a: unknown[]) => unknown)(...args);
      };
    },
  });
  const log = createDurableAuditLog({
    pool: migratedPool,
    spool,
    databaseTimeoutMs: options.databaseTimeoutMs,
    spoolReserveMs: options.spoolReserveMs,
    onError: (error) => logger.warn({ err: error }, 'audit log'),
  });
  return {
    kind: 'database',
    record: (entry, recordOptions) => log.record(entry, recordOptions),
    flush: async () => {
      await log.replay();
    },
    spoolBacklog: () => spool?.pending() ?? 0,
    close: () => log.close(),
  };
}

/** Without a database: each read is a structured log line (`audit: true`), for a log pipeline to keep. */
export function logAuditSink(logger: Logger): AuditSink {
  return {
    kind: 'log',
    record: async (entry) => {
      logger.info({ audit: true, ...entry, readAt: (entry.readAt ?? new Date()).toISOString() }, 'field read');
      return 'log';
    },
    flush: async () => {},
    spoolBacklog: () => 0,
    close: async () => {},
  };
}
