import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../../platform/db/pool.js';
import type { AuditSpool } from './auditSpool.js';
import type { FieldReadRecord } from './auditLog.js';

/** Where a record was stored before its answer was allowed out. */
export type AuditStored = 'database' | 'spool';

/** Neither the audit database nor the spool could store the record: the audited fields must not be answered. */
export class AuditUnavailableError extends Error {
  readonly code = 'AUDIT_UNAVAILABLE';
  constructor(cause: unknown) {
    super('the audit log could not store the read (database and spool both failed)', { cause });
    this.name = 'AuditUnavailableError';
  }
}

export interface DurableAuditLogOptions {
  /** The audit database (its pool should fail fast: short connection and query timeouts, a breaker). */
  pool: pg.Pool;
  /** @default 'audit' */
  schema?: string;
  /** The local spool; without it a database failure refuses the record. */
  spool?: AuditSpool;
  /** Records written in one statement at most (group commit). @default 500 */
  maxBatch?: number;
  /** How often the spool is replayed into the database while it holds records. @default 1000 */
  replayIntervalMs?: number;
  /** Told of database failures (the record then went to the spool) and replay failures. */
  onError?: (error: Error) => void;
}

export interface DurableAuditLog {
  /**
   * Stores the record durably — in the database, or in the spool when the
   * database fails — and resolves only then; rejects with AuditUnavailableError
   * when neither could. Records of the same moment share one INSERT (or one
   * spool write and fsync).
   */
  record(entry: FieldReadRecord): Promise<AuditStored>;
  /** Replays the spool into the database now; resolves with how many records it stored. */
  replay(): Promise<number>;
  /** Stops the replay timer, replays once more if it can, closes the spool. */
  close(): Promise<void>;
  readonly stats: { database: number; spooled: number; refused: number; replayed: number };
}

/** One record as stored: its id makes a replayed insert of the same record a no-op. */
interface AuditRow {
  record_id: string;
  request_id: string | null;
  read_at: string;
  subject: string;
  operation_name: string | null;
  operation_hash: string;
  fields: readonly string[];
  entity_ids: readonly string[];
  masked: boolean;
}

interface Waiting {
  row: AuditRow;
  resolve(stored: AuditStored): void;
  reject(error: Error): void;
}

/**
 * The gateway's audit trail for PII and finance reads, durable before the
 * answer leaves: the answer waits for its record to be in audit.field_read or
 * fsync'ed to the local spool (replayed into the table when the database is
 * back, exactly once by record id). Nothing is dropped: there is no in-memory
 * buffer to overflow, and a record nobody could store makes the gateway
 * refuse the audited fields instead (AUDIT_UNAVAILABLE).
 */
export function createDurableAuditLog(options: DurableAuditLogOptions): DurableAuditLog {
  const table = `${quoteIdent(options.schema ?? 'audit')}.field_read`;
  const maxBatch = options.maxBatch ?? 500;
  const onError = options.onError ?? (() => {});
  const stats = { database: 0, spooled: 0, refused: 0, replayed: 0 };
  let waiting: Waiting[] = [];
  let writing = false;
  let replaying: Promise<number> | undefined;

  const insert = `INSERT INTO ${table} (record_id, request_id, read_at, subject, operation_name, operation_hash, fields, entity_ids, masked)
    SELECT r.record_id, r.request_id, r.read_at, r.subject, r.operation_name, r.operation_hash, r.fields, r.entity_ids, r.masked
      FROM jsonb_to_recordset($1::jsonb) AS r(record_id uuid, request_id text, read_at timestamptz, subject text, operation_name text,
                                               operation_hash text, fields text[], entity_ids text[], masked boolean)
    ON CONFLICT (record_id) DO NOTHING`;

  const store = async (rows: readonly unknown[]) => {
    await options.pool.query(insert, [JSON.stringify(rows)]);
  };

  /** Group commit: whatever queued while the previous batch was written goes in the next one. */
  async function writeQueued(): Promise<void> {
    if (writing) return;
    writing = true;
    try {
      while (waiting.length) {
        const batch = waiting.slice(0, maxBatch);
        waiting = waiting.slice(batch.length);
        const rows = batch.map((w) => w.row);
        try {
          await store(rows);
          stats.database += batch.length;
          for (const w of batch) w.resolve('database');
          continue;
        } catch (error) {
          onError(new Error(`audit database write failed (${(error as Error).message}); ${options.spool ? 'spooling' : 'refusing'} ${batch.length} records`, { cause: error }));
          if (!options.spool) {
            stats.refused += batch.length;
            for (const w of batch) w.reject(new AuditUnavailableError(error));
            continue;
          }
        }
        try {
          await options.spool.append(rows);
          stats.spooled += batch.length;
          for (const w of batch) w.resolve('spool');
        } catch (error) {
          stats.refused += batch.length;
          onError(new Error(`audit spool write failed too: ${(error as Error).message}`, { cause: error }));
          for (const w of batch) w.reject(new AuditUnavailableError(error));
        }
      }
    } finally {
      writing = false;
    }
  }

  function replay(): Promise<number> {
    const spool = options.spool;
    if (!spool) return Promise.resolve(0);
    replaying ??= spool
      .replay(store, maxBatch)
      .then((n) => {
        stats.replayed += n;
        return n;
      })
      .catch((error: unknown) => {
        onError(new Error(`audit spool replay stopped: ${(error as Error).message}`, { cause: error }));
        return 0;
      })
      .finally(() => {
        replaying = undefined;
      });
    return replaying;
  }

  const timer = options.spool
    ? setInterval(() => {
        if (options.spool!.pending() > 0) void replay();
      }, options.replayIntervalMs ?? 1_000)
    : undefined;
  timer?.unref();

  return {
    record(entry) {
      const row: AuditRow = {
        record_id: randomUUID(),
        request_id: entry.requestId ?? null,
        read_at: (entry.readAt ?? new Date()).toISOString(),
        subject: entry.subject,
        operation_name: entry.operationName,
        operation_hash: entry.operationHash,
        fields: entry.fields,
        entity_ids: entry.entityIds,
        masked: entry.masked,
      };
      return new Promise<AuditStored>((resolve, reject) => {
        waiting.push({ row, resolve, reject });
        if (!writing) queueMicrotask(() => void writeQueued());
      });
    },
    replay,
    async close() {
      if (timer) clearInterval(timer);
      while (writing || waiting.length) {
        await writeQueued();
        await new Promise((resolve) => setImmediate(resolve));
      }
      if (options.spool && options.spool.pending() > 0) await replay();
      await options.spool?.close();
    },
    stats,
  };
}
