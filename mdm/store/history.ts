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
  const { rows } = await db.query(
    `INSERT INTO mdm.history (actor, action, reason, master_ids, before, after, idempotency_key, request_fingerprint)
     VALUES ($1, $2, $3, $4::text[], $5::jsonb, $6::jsonb, $7, $8) RETURNING id::text AS id`,
    [
      event.actor, event.action, event.reason ?? null, event.masterIds,
      event.before === undefined ? null : JSON.stringify(event.before),
      event.after === undefined ? null : JSON.stringify(event.after),
      event.idempotencyKey ?? null,
      event.requestFingerprint ?? null,
    ],
  );
  return rows[0].id;
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
