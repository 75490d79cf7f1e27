import type pg from 'pg';

/** One append-only history event (mdm.history). */
export interface HistoryEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  reason: string | null;
  masterIds: string[];
  before: unknown;
  after: unknown;
  idempotencyKey: string | null;
}

export interface NewHistoryEvent {
  actor: string;
  action: 'load' | 'match' | 'merge' | 'unmerge' | 'split' | 'join' | 'accept' | 'reject' | 'undo' | 'update' | 'remove';
  reason?: string | null;
  masterIds: string[];
  before?: unknown;
  after?: unknown;
  idempotencyKey?: string | null;
  /** See stewardship's requestFingerprint; set with an idempotency key. */
  requestFingerprint?: string | null;
}

/** Appends one event; history rows are never updated or deleted. */
export async function appendHistory(db: pg.Pool | pg.PoolClient, event: NewHistoryEvent): Promise<string> {
  return (await appendHistories(db, [event]))[0];
}

/**
 * Appends several events in one statement; answers their ids in the order
 * given. The ids come from one sequence in row order, so sorting what the
 * statement returns gives the order (RETURNING itself promises none).
 */
export async function appendHistories(db: pg.Pool | pg.PoolClient, events: NewHistoryEvent[]): Promise<string[]> {
  if (events.length === 0) return [];
  const json = (v: unknown) => (v === undefined ? null : JSON.stringify(v));
  const { rows } = await db.query(
    `INSERT INTO mdm.history (actor, action, reason, master_ids, before, after, idempotency_key, request_fingerprint)
     SELECT t.actor, t.action, t.reason, ARRAY(SELECT jsonb_array_elements_text(t.master_ids)), t.before, t.after, t.idempotency_key, t.request_fingerprint
       FROM unnest($1::text[], $2::text[], $3::text[], $4::jsonb[], $5::jsonb[], $6::jsonb[], $7::text[], $8::text[])
            WITH ORDINALITY AS t(actor, action, reason, master_ids, before, after, idempotency_key, request_fingerprint, n)
      ORDER BY t.n
     RETURNING id`,
    [
      events.map((e) => e.actor), events.map((e) => e.action), events.map((e) => e.reason ?? null), events.map((e) => JSON.stringify(e.masterIds)),
      events.map((e) => json(e.before)), events.map((e) => json(e.after)), events.map((e) => e.idempotencyKey ?? null), events.map((e) => e.requestFingerprint ?? null),
    ],
  );
  return rows.map((r) => BigInt(r.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).map(String);
}

export function toHistoryEvent(row: Record<string, any>): HistoryEvent {
  return {
    id: String(row.id),
    at: row.at instanceof Date ? row.at.toISOString() : String(row.at),
    actor: row.actor,
    action: row.action,
    reason: row.reason,
    masterIds: row.master_ids,
    before: row.before,
    after: row.after,
    idempotencyKey: row.idempotency_key,
  };
}

/** The history of one master (newest first), or of everything when no id is given. */
export async function listHistory(
  db: pg.Pool | pg.PoolClient,
  options: { masterId?: string; limit?: number; beforeId?: string } = {},
): Promise<HistoryEvent[]> {
  const { rows } = await db.query(
    `SELECT id, at, actor, action, reason, master_ids, before, after, idempotency_key FROM mdm.history
      WHERE ($1::text IS NULL OR $1 = ANY(master_ids)) AND ($2::bigint IS NULL OR id < $2::bigint)
      ORDER BY id DESC LIMIT $3`,
    [options.masterId ?? null, options.beforeId ?? null, options.limit ?? 50],
  );
  return rows.map(toHistoryEvent);
}
