import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../../platform/db/pool.js';
import { runWithBudget } from '../../platform/deadline/index.js';
import type { AuditSpool } from './auditSpool.js';
import type { FieldReadRecord } from './auditLog.js';

/** Where a record was stored before its answer was allowed out. */
export type AuditStored = 'database' | 'spool';

/** Why a record could not be stored: both stores failed, or its request's deadline came first. */
export type AuditRefusal = 'failed' | 'deadline';

/** Neither the audit database nor the spool could store the record (in time): the audited fields must not be answered. */
export class AuditUnavailableError extends Error {
  readonly code = 'AUDIT_UNAVAILABLE';
  constructor(cause: unknown, readonly reason: AuditRefusal = 'failed') {
    super(reason === 'deadline'
      ? "the audit log could not store the read before the request's deadline (neither the database nor the spool confirmed it in time)"
      : 'the audit log could not store the read (database and spool both failed)', { cause });
    this.name = 'AuditUnavailableError';
  }
}

/** The defaults of the two numbers that split a request's time between the audit database and the spool. */
export const AUDIT_TIME_DEFAULTS = {
  /** One database attempt (connection and INSERT together): a healthy local INSERT takes about a millisecond. */
  databaseTimeoutMs: 1_000,
  /** Kept back for the spool's append + fsync: 0.5 ms median, 13 ms worst of 200 measured where the fault suite runs; the rest is for a busy event loop. */
  spoolReserveMs: 200,
} as const;

/**
 * The shortest database attempt worth starting. A shorter one times out at
 * the first hiccup (a loaded machine, a busy pool) and each timeout counts
 * towards opening the audit breaker; such records go to the spool at once
 * instead (replayed within a second, so nothing is lost by it).
 */
const MIN_DATABASE_ATTEMPT_MS = 25;

export interface DurableAuditLogOptions {
  /** The audit database (its pool should fail fast: short connection and query timeouts, a breaker). */
  pool: pg.Pool;
  /** @default 'audit' */
  schema?: string;
  /** The local spool; without it a database failure refuses the record. */
  spool?: AuditSpool;
  /** Records written in one statement at most (group commit). @default 500 */
  maxBatch?: number;
  /**
   * Database batches in flight at once. More than one, so that records do not
   * queue behind an attempt that hangs: while the breaker's half-open probe
   * waits on a frozen database, the next batch is refused at once and spooled.
   * @default 4 (the gateway's audit pool size)
   */
  maxConcurrentBatches?: number;
  /**
   * The longest one database attempt may take, connection and INSERT
   * together; a record's attempt is further cut to what its request has left
   * minus `spoolReserveMs`. @default 1000
   */
  databaseTimeoutMs?: number;
  /** What is kept back of a request's time for the spool write when the database does not answer. @default 200 */
  spoolReserveMs?: number;
  /** How often the spool is replayed into the database while it holds records. @default 1000 */
  replayIntervalMs?: number;
  /** Told of database failures (the record then went to the spool) and replay failures. */
  onError?: (error: Error) => void;
}

export interface AuditRecordOptions {
  /**
   * When the answer the record belongs to must leave (ms since the epoch):
   * the record is stored by then or refused. Unset: no deadline (each
   * database attempt still ends after `databaseTimeoutMs`).
   */
  deadline?: number;
}

export interface DurableAuditLog {
  /**
   * Stores the record durably — in the database, or in the spool when the
   * database fails or does not answer in time — and resolves only then;
   * rejects with AuditUnavailableError when neither could before the
   * deadline. Records of the same moment share one INSERT (or one spool
   * write and fsync).
   */
  record(entry: FieldReadRecord, options?: AuditRecordOptions): Promise<AuditStored>;
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

/** A record whose answer is waiting for it. */
interface Waiting {
  row: AuditRow;
  /** When it leaves the database for the spool: its deadline minus the spool's reserve (Infinity without a deadline). */
  spoolAt: number;
  /** When it is refused if still not stored (Infinity without a deadline). */
  deadline: number;
  /** Handed to the spool (its database attempt may still be under way: whichever stores it first answers). */
  spooling: boolean;
  settled: boolean;
  timer?: NodeJS.Timeout;
  resolve(stored: AuditStored): void;
  reject(error: Error): void;
}

/**
 * The gateway's audit trail for PII and finance reads, durable before the
 * answer leaves, and never later than the answer's deadline (ADR 0011): the
 * answer waits for its record to be in audit.field_read or fsync'ed to the
 * local spool (replayed into the table when the database is back, exactly
 * once by record id). Nothing is dropped: there is no in-memory buffer to
 * overflow, and a record nobody could store in time makes the gateway refuse
 * the audited fields instead (AUDIT_UNAVAILABLE).
 *
 * The time split, per record, counted from when it is handed over (so the
 * wait in the group-commit queue counts too): the database gets at most
 * `databaseTimeoutMs` and never past `deadline − spoolReserveMs`; at that
 * instant a record not yet stored leaves for the spool, whether its batch
 * is still waiting for a slot or its INSERT still hangs; at `deadline` a
 * record the spool has not confirmed is refused. A record can so end up in
 * both stores (its INSERT committed after it was spooled): the replay's
 * `ON CONFLICT (record_id) DO NOTHING` keeps it once in the table.
 */
export function createDurableAuditLog(options: DurableAuditLogOptions): DurableAuditLog {
  const table = `${quoteIdent(options.schema ?? 'audit')}.field_read`;
  const maxBatch = options.maxBatch ?? 500;
  const maxConcurrentBatches = options.maxConcurrentBatches ?? 4;
  const databaseTimeoutMs = options.databaseTimeoutMs ?? AUDIT_TIME_DEFAULTS.databaseTimeoutMs;
  const spoolReserveMs = options.spoolReserveMs ?? AUDIT_TIME_DEFAULTS.spoolReserveMs;
  const onError = options.onError ?? (() => {});
  const stats = { database: 0, spooled: 0, refused: 0, replayed: 0 };
  /** Records waiting for a database batch. */
  let queued: Waiting[] = [];
  /** Records waiting for the spool's next write. */
  let toSpool: Waiting[] = [];
  let batchesInFlight = 0;
  let pumpScheduled = false;
  let spoolWriting = false;
  let replaying: Promise<number> | undefined;

  const insert = `INSERT INTO ${table} (record_id, request_id, read_at, subject, operation_name, operation_hash, fields, entity_ids, masked)
    SELECT r.record_id, r.request_id, r.read_at, r.subject, r.operation_name, r.operation_hash, r.fields, r.entity_ids, r.masked
      FROM jsonb_to_recordset($1::jsonb) AS r(record_id uuid, request_id text, read_at timestamptz, subject text, operation_name text,
                                               operation_hash text, fields text[], entity_ids text[], masked boolean)
    ON CONFLICT (record_id) DO NOTHING`;

  const store = async (rows: readonly unknown[]) => {
    await options.pool.query(insert, [JSON.stringify(rows)]);
  };

  function settle(w: Waiting, outcome: AuditStored | AuditUnavailableError): void {
    if (w.settled) return;
    w.settled = true;
    clearTimeout(w.timer);
    if (outcome === 'database') stats.database++;
    else if (outcome === 'spool') stats.spooled++;
    else stats.refused++;
    if (outcome instanceof AuditUnavailableError) w.reject(outcome);
    else w.resolve(outcome);
  }

  /** Arms the record's one timer: at spoolAt it leaves the database for the spool, at its deadline it is refused. */
  function arm(w: Waiting): void {
    clearTimeout(w.timer);
    const at = w.spooling ? w.deadline : w.spoolAt;
    if (at === Infinity) return;
    w.timer = setTimeout(() => {
      if (w.settled) return;
      if (w.spooling) settle(w, new AuditUnavailableError(new Error("the request's deadline passed before the spool write finished"), 'deadline'));
      else spool(w);
    }, Math.max(0, at - Date.now()));
  }

  /** Hands the record to the spool (or refuses it without one); its database attempt, if under way, may still win. */
  function spool(w: Waiting): void {
    if (w.settled || w.spooling) return;
    if (!options.spool) {
      settle(w, new AuditUnavailableError(new Error("the audit database did not store it before the request's deadline, and there is no spool"), 'deadline'));
      return;
    }
    w.spooling = true;
    toSpool.push(w);
    arm(w);
    if (!spoolWriting) void writeSpool();
  }

  /** Group commit to the spool: whatever arrived while the previous write and fsync ran goes in the next one. */
  async function writeSpool(): Promise<void> {
    spoolWriting = true;
    try {
      while (toSpool.length) {
        // Records already stored (their INSERT won) or refused (the deadline came) are not written: a refused read was not answered.
        const batch = toSpool.filter((w) => !w.settled);
        toSpool = [];
        if (!batch.length) continue;
        try {
          await options.spool!.append(batch.map((w) => w.row));
          for (const w of batch) settle(w, 'spool');
        } catch (error) {
          onError(new Error(`audit spool write failed too: ${(error as Error).message}`, { cause: error }));
          for (const w of batch) settle(w, new AuditUnavailableError(error));
        }
      }
    } finally {
      spoolWriting = false;
    }
  }

  function schedulePump(): void {
    if (pumpScheduled) return;
    pumpScheduled = true;
    // A microtask later: the records of the same moment go in one batch.
    queueMicrotask(() => {
      pumpScheduled = false;
      pump();
    });
  }

  /** Starts database batches while slots are free: each gets what its most patient record has left, at most databaseTimeoutMs. */
  function pump(): void {
    while (batchesInFlight < maxConcurrentBatches && queued.length) {
      const now = Date.now();
      const batch: Waiting[] = [];
      let i = 0;
      for (; i < queued.length && batch.length < maxBatch; i++) {
        const w = queued[i];
        if (w.settled || w.spooling) continue;
        if (w.spoolAt - now < MIN_DATABASE_ATTEMPT_MS) spool(w);
        else batch.push(w);
      }
      queued = queued.slice(i);
      if (!batch.length) continue;
      const attemptMs = Math.min(databaseTimeoutMs, Math.max(...batch.map((w) => w.spoolAt - now)));
      batchesInFlight++;
      void writeBatch(batch, attemptMs).finally(() => {
        batchesInFlight--;
        pump();
      });
    }
  }

  async function writeBatch(batch: Waiting[], attemptMs: number): Promise<void> {
    try {
      // The pool and the audit breaker cut the connection wait and the INSERT to this budget.
      await runWithBudget(attemptMs, () => store(batch.map((w) => w.row)));
      // Records already handed to the spool are answered now too: they are stored.
      for (const w of batch) settle(w, 'database');
    } catch (error) {
      const left = batch.filter((w) => !w.settled && !w.spooling);
      onError(new Error(`audit database write failed (${(error as Error).message}); ${options.spool ? 'spooling' : 'refusing'} ${left.length} records`, { cause: error }));
      for (const w of left) {
        if (options.spool) spool(w);
        else settle(w, new AuditUnavailableError(error));
      }
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
    record(entry, recordOptions = {}) {
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
      const deadline = recordOptions.deadline ?? Infinity;
      return new Promise<AuditStored>((resolve, reject) => {
        // Without a spool there is nothing to keep time for: the database may use all of it.
        const w: Waiting = { row, deadline, spoolAt: options.spool ? deadline - spoolReserveMs : deadline, spooling: false, settled: false, resolve, reject };
        if (w.spoolAt - Date.now() < MIN_DATABASE_ATTEMPT_MS) {
          spool(w);
          return;
        }
        queued.push(w);
        arm(w);
        schedulePump();
      });
    },
    replay,
    async close() {
      if (timer) clearInterval(timer);
      // Every record settles by itself (each database attempt is bounded): wait for the last ones.
      while (queued.some((w) => !w.settled) || batchesInFlight > 0 || toSpool.length > 0 || spoolWriting) {
        pump();
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (options.spool && options.spool.pending() > 0) await replay();
      await options.spool?.close();
    },
    stats,
  };
}
