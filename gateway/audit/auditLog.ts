import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/migrate.js';
import { quoteIdent } from '../../platform/db/pool.js';

export const AUDIT_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Installs audit.field_read (idempotent). `schema` defaults to "audit". */
export function migrateAudit(pool: pg.Pool, schema = 'audit'): Promise<string[]> {
  return migrate(pool, { set: 'audit', dir: AUDIT_MIGRATIONS_DIR, schema, placeholder: 'audit' });
}

/** The operation's identity in the log: sha256 of its text, as Apollo's persisted-query hash. */
export function operationHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export interface FieldReadRecord {
  subject: string;
  operationName: string | null;
  operationHash: string;
  /** Schema coordinates read, e.g. Customer.primaryEmail. */
  fields: readonly string[];
  entityIds: readonly string[];
  masked: boolean;
  /** @default the time record() was called */
  readAt?: Date;
}

export interface FieldReadRow extends Required<FieldReadRecord> {
  id: string;
}

export interface AuditLogOptions {
  pool: pg.Pool;
  /** @default 'audit' */
  schema?: string;
  /** Pending records are written at least this often. @default 1000 */
  flushIntervalMs?: number;
  /** A flush starts as soon as this many records wait. @default 200 */
  maxBatch?: number;
  /** Beyond this many pending records (database down), the oldest are dropped and counted. @default 10000 */
  maxPending?: number;
  /** Told about write failures and drops (log them; the response is never affected). */
  onError?: (error: Error) => void;
}

export interface AuditLog {
  /** Queues a record and returns at once: the response never waits for the audit write. */
  record(entry: FieldReadRecord): void;
  /** Writes everything pending (one INSERT per batch). */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
  /** Counters for metrics. */
  readonly stats: { written: number; failed: number; dropped: number; pending: number };
}

/**
 * The append-only, asynchronous writer of audit.field_read. Records are
 * batched in memory and inserted with one parameterised statement per batch
 * (jsonb_to_recordset), off the request path. A failed batch is put back and
 * retried at the next flush; only when `maxPending` overflows are the oldest
 * records dropped, counted in `stats.dropped` and reported through onError —
 * the trade-off chosen so an audit outage cannot take the gateway down.
 */
export function createAuditLog(options: AuditLogOptions): AuditLog {
  const table = `${quoteIdent(options.schema ?? 'audit')}.field_read`;
  const maxBatch = options.maxBatch ?? 200;
  const maxPending = options.maxPending ?? 10_000;
  const onError = options.onError ?? (() => {});
  let pending: Array<FieldReadRecord & { readAt: Date }> = [];
  const stats = { written: 0, failed: 0, dropped: 0, pending: 0 };
  let flushing: Promise<void> | undefined;

  const insert = `INSERT INTO ${table} (read_at, subject, operation_name, operation_hash, fields, entity_ids, masked)
    SELECT r.read_at, r.subject, r.operation_name, r.operation_hash, r.fields, r.entity_ids, r.masked
    FROM jsonb_to_recordset($1::jsonb) AS r(read_at timestamptz, subject text, operation_name text, operation_hash text, fields text[], entity_ids text[], masked boolean)`;

  const writeAll = async (): Promise<void> => {
    while (pending.length) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(batch.length);
      const rows = batch.map((r) => ({
        read_at: r.readAt.toISOString(),
        subject: r.subject,
        operation_name: r.operationName,
        operation_hash: r.operationHash,
        fields: r.fields,
        entity_ids: r.entityIds,
        masked: r.masked,
      }));
      try {
        await options.pool.query(insert, [JSON.stringify(rows)]);
        stats.written += batch.length;
      } catch (error) {
        stats.failed += 1;
        pending = [...batch, ...pending];
        onError(new Error(`audit write failed, ${pending.length} records pending: ${(error as Error).message}`, { cause: error }));
        break;
      } finally {
        stats.pending = pending.length;
      }
    }
  };

  const flush = (): Promise<void> => {
    // One writer at a time keeps batches ordered and the pool free for requests.
    flushing ??= writeAll().finally(() => {
      flushing = undefined;
    });
    return flushing;
  };

  const timer = setInterval(() => void flush(), options.flushIntervalMs ?? 1000);
  timer.unref();

  return {
    record(entry) {
      pending.push({ ...entry, readAt: entry.readAt ?? new Date() });
      if (pending.length > maxPending) {
        const overflow = pending.length - maxPending;
        pending = pending.slice(overflow);
        stats.dropped += overflow;
        onError(new Error(`audit backlog over ${maxPending} records: dropped the ${overflow} oldest`));
      }
      stats.pending = pending.length;
      if (pending.length >= maxBatch) void flush();
    },
    async flush() {
      await flush();
      if (pending.length && !flushing) await flush();
    },
    async close() {
      clearInterval(timer);
      await flush();
    },
    stats,
  };
}

export interface FieldReadFilter {
  subject?: string;
  /** Only reads of this coordinate. */
  field?: string;
  since?: Date;
  /** Keyset paging: rows with an id below this one. */
  beforeId?: string;
  /** @default 100, at most 1000 */
  limit?: number;
}

/** The admin listing (the gateway exposes it to `audit:read` only), newest first. */
export async function listFieldReads(pool: pg.Pool, filter: FieldReadFilter = {}, schema = 'audit'): Promise<FieldReadRow[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const { rows } = await pool.query<{
    id: string; read_at: Date; subject: string; operation_name: string | null; operation_hash: string; fields: string[]; entity_ids: string[]; masked: boolean;
  }>(
    `SELECT id::text AS id, read_at, subject, operation_name, operation_hash, fields, entity_ids, masked
       FROM ${quoteIdent(schema)}.field_read
      WHERE ($1::text IS NULL OR subject = $1)
        AND ($2::text IS NULL OR $2 = ANY(fields))
        AND ($3::timestamptz IS NULL OR read_at >= $3)
        AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC
      LIMIT $5`,
    [filter.subject ?? null, filter.field ?? null, filter.since ?? null, filter.beforeId ?? null, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    readAt: r.read_at,
    subject: r.subject,
    operationName: r.operation_name,
    operationHash: r.operation_hash,
    fields: r.fields,
    entityIds: r.entity_ids,
    masked: r.masked,
  }));
}
