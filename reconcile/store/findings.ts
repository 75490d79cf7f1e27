import type pg from 'pg';
import { ReconError } from '../errors.js';
import { FINDING_ID_PATTERN } from '../findingId.js';
import { FINDING_KINDS, FINDING_STATES, type FindingAmounts, type FindingKind, type FindingRecord, type FindingState } from '../types.js';

/** A stored finding, as readers see it. */
export interface Finding {
  id: string;
  job: string;
  kind: FindingKind;
  key: string;
  entityType: string;
  masterId: string | null;
  summary: string;
  records: FindingRecord[];
  amounts: FindingAmounts | null;
  detail: Record<string, unknown>;
  month: string | null;
  state: FindingState;
  present: boolean;
  version: number;
  firstSeenAt: string;
  lastSeenAt: string;
  firstRunId: string;
  lastRunId: string;
  stateComment: string | null;
  stateBy: string | null;
  stateAt: string | null;
}

export interface FindingEvent {
  id: string;
  at: string;
  actor: string;
  action: string;
  fromState: string | null;
  toState: string | null;
  comment: string | null;
  runId: string | null;
}

export interface FindingFilter {
  kinds?: FindingKind[];
  states?: FindingState[];
  /** Still seen by the latest run (default), or cleared, or both (null). */
  present?: boolean | null;
  entityType?: string;
  masterId?: string;
  /** Inclusive YYYY-MM bounds on the month of monthly findings. */
  monthFrom?: string;
  monthTo?: string;
  /** Words to find in the summary, case-insensitive. */
  text?: string;
}

const COLUMNS = `id, job, kind, finding_key, entity_type, master_id, summary, records, amounts, detail, month, state, present, version,
  first_seen_at, last_seen_at, first_run_id::text, last_run_id::text, state_comment, state_by, state_at`;

function toFinding(r: any): Finding {
  return {
    id: r.id, job: r.job, kind: r.kind, key: r.finding_key, entityType: r.entity_type, masterId: r.master_id, summary: r.summary,
    records: r.records ?? [], amounts: r.amounts, detail: r.detail ?? {}, month: r.month, state: r.state, present: r.present, version: r.version,
    firstSeenAt: iso(r.first_seen_at)!, lastSeenAt: iso(r.last_seen_at)!, firstRunId: r.first_run_id, lastRunId: r.last_run_id,
    stateComment: r.state_comment, stateBy: r.state_by, stateAt: iso(r.state_at),
  };
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/** Validates a filter's values before they reach SQL (unknown kinds and states are named). */
export function checkFilter(filter: FindingFilter): void {
  for (const kind of filter.kinds ?? []) {
    if (!(kind in FINDING_KINDS)) throw new ReconError('RECON_INVALID_ARGUMENT', `kinds: unknown finding kind ${JSON.stringify(kind)}; expected one of ${Object.keys(FINDING_KINDS).join(', ')}`);
  }
  for (const state of filter.states ?? []) {
    if (!FINDING_STATES.includes(state)) throw new ReconError('RECON_INVALID_ARGUMENT', `states: unknown state ${JSON.stringify(state)}; expected one of ${FINDING_STATES.join(', ')}`);
  }
  for (const [name, value] of [['monthFrom', filter.monthFrom], ['monthTo', filter.monthTo]] as const) {
    if (value !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new ReconError('RECON_INVALID_ARGUMENT', `${name}: expected YYYY-MM, got ${JSON.stringify(value)}`);
  }
}

function where(filter: FindingFilter): { sql: string; params: unknown[] } {
  checkFilter(filter);
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (clause: string, value: unknown) => { params.push(value); clauses.push(clause.replace('?', `$${params.length}`)); };
  const present = filter.present === undefined ? true : filter.present;
  if (present !== null) add('present = ?', present);
  if (filter.kinds?.length) add('kind = ANY(?::text[])', filter.kinds);
  if (filter.states?.length) add('state = ANY(?::text[])', filter.states);
  if (filter.entityType) add('entity_type = ?', filter.entityType);
  if (filter.masterId) add('master_id = ?', filter.masterId);
  if (filter.monthFrom) add('month >= ?', filter.monthFrom);
  if (filter.monthTo) add('month <= ?', filter.monthTo);
  if (filter.text) add(`summary ILIKE ?`, `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

/** One page of findings, newest first (then by id, so pages never overlap), and the total. */
export async function listFindings(pool: pg.Pool, filter: FindingFilter, page: { offset: number; limit: number }): Promise<{ items: Finding[]; total: number }> {
  const { sql, params } = where(filter);
  const [items, total] = await Promise.all([
    pool.query(`SELECT ${COLUMNS} FROM recon.finding ${sql} ORDER BY first_seen_at DESC, id LIMIT $${params.length + 1} OFFSET $${params.length + 2}`, [...params, page.limit, page.offset]),
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM recon.finding ${sql}`, params),
  ]);
  return { items: items.rows.map(toFinding), total: Number(total.rows[0].n) };
}

export async function readFinding(pool: pg.Pool, id: string): Promise<Finding | null> {
  if (!FINDING_ID_PATTERN.test(id)) return null;
  const { rows } = await pool.query(`SELECT ${COLUMNS} FROM recon.finding WHERE id = $1`, [id]);
  return rows[0] ? toFinding(rows[0]) : null;
}

export async function readFindingEvents(pool: pg.Pool, id: string): Promise<FindingEvent[]> {
  const { rows } = await pool.query(
    `SELECT id::text, at, actor, action, from_state, to_state, comment, run_id::text FROM recon.finding_event WHERE finding_id = $1 ORDER BY id`, [id],
  );
  return rows.map((r) => ({ id: r.id, at: iso(r.at)!, actor: r.actor, action: r.action, fromState: r.from_state, toState: r.to_state, comment: r.comment, runId: r.run_id }));
}

/** Counts of findings the latest runs still see, per kind and state. */
export async function summariseFindings(pool: pg.Pool): Promise<Array<{ kind: FindingKind; state: FindingState; count: number }>> {
  const { rows } = await pool.query(`SELECT kind, state, count(*)::int AS count FROM recon.finding WHERE present GROUP BY kind, state ORDER BY kind, state`);
  return rows;
}

/** Per month: how many customers' totals differ, and the sum of the differences (CRM − ERP). */
export async function mismatchByMonth(pool: pg.Pool): Promise<Array<{ month: string; findings: number; crm: number; erp: number; difference: number }>> {
  const { rows } = await pool.query(`
    SELECT month, count(*)::int AS findings, coalesce(sum((amounts->>'crm')::numeric), 0)::float8 AS crm,
           coalesce(sum((amounts->>'erp')::numeric), 0)::float8 AS erp, coalesce(sum((amounts->>'difference')::numeric), 0)::float8 AS difference
      FROM recon.finding WHERE present AND kind = 'monthly_total_mismatch' GROUP BY month ORDER BY month`);
  return rows;
}

export interface TransitionInput {
  id: string;
  action: 'acknowledge' | 'resolve';
  comment: string;
  actor: string;
  /** The version the caller read: a finding changed since is refused (RECON_VERSION_CONFLICT). */
  expectedVersion: number;
  commentMaxLength: number;
}

const TARGET: Record<TransitionInput['action'], { to: FindingState; from: FindingState[]; event: string }> = {
  acknowledge: { to: 'acknowledged', from: ['open'], event: 'acknowledged' },
  resolve: { to: 'resolved', from: ['open', 'acknowledged'], event: 'resolved' },
};

/**
 * Acknowledges or resolves a finding with a comment, under optimistic
 * concurrency: the caller names the version it read, and a finding another
 * user changed since is refused. The state change and its audit event are one
 * transaction; every refusal is checked before anything is written.
 */
export async function transitionFinding(pool: pg.Pool, input: TransitionInput): Promise<Finding> {
  const comment = input.comment.trim();
  if (comment.length === 0) throw new ReconError('RECON_COMMENT_REQUIRED', `${input.action} needs a comment saying why`);
  if ([...comment].length > input.commentMaxLength) {
    throw new ReconError('RECON_COMMENT_TOO_LONG', `comment: at most ${input.commentMaxLength} characters, got ${[...comment].length}`, { max: input.commentMaxLength });
  }
  if (!Number.isInteger(input.expectedVersion) || input.expectedVersion < 1) {
    throw new ReconError('RECON_INVALID_ARGUMENT', `expectedVersion: expected the finding's version (an integer ≥ 1), got ${JSON.stringify(input.expectedVersion)}`);
  }
  if (!FINDING_ID_PATTERN.test(input.id)) throw new ReconError('RECON_FINDING_NOT_FOUND', `no finding ${JSON.stringify(input.id)}: finding ids look like fnd_ and 20 hex digits`, { id: input.id });
  const target = TARGET[input.action];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(`SELECT ${COLUMNS} FROM recon.finding WHERE id = $1 FOR UPDATE`, [input.id]);
    if (!rows[0]) throw new ReconError('RECON_FINDING_NOT_FOUND', `no finding ${input.id}`, { id: input.id });
    const current = toFinding(rows[0]);
    if (current.version !== input.expectedVersion) {
      throw new ReconError('RECON_VERSION_CONFLICT',
        `finding ${input.id} is at version ${current.version} (${current.state}${current.stateBy ? ` by ${current.stateBy}` : ''}), not ${input.expectedVersion}: read it again`,
        { id: input.id, version: current.version, state: current.state });
    }
    if (!target.from.includes(current.state)) {
      throw new ReconError('RECON_INVALID_TRANSITION', `cannot ${input.action} finding ${input.id}: it is ${current.state}`, { id: input.id, state: current.state });
    }
    const updated = await client.query(
      `UPDATE recon.finding SET state = $2, version = version + 1, state_comment = $3, state_by = $4, state_at = now()
        WHERE id = $1 AND version = $5 RETURNING ${COLUMNS}`,
      [input.id, target.to, comment, input.actor, input.expectedVersion],
    );
    await client.query(
      `INSERT INTO recon.finding_event (finding_id, actor, action, from_state, to_state, comment) VALUES ($1, $2, $3, $4, $5, $6)`,
      [input.id, input.actor, target.event, current.state, target.to, comment],
    );
    await client.query('COMMIT');
    return toFinding(updated.rows[0]);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}
