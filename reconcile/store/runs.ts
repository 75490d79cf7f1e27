import type pg from 'pg';
import { findingId } from '../findingId.js';
import type { FieldProfile, FindingDraft, JobName } from '../types.js';

/**
 * A job run's rows: the run itself, then, in ONE transaction, every finding
 * it saw (inserted, or refreshed and marked present), the findings of its job
 * it no longer sees marked cleared, their audit events, and its quality
 * profile. A run that fails before or during that transaction changes no
 * finding: the reader never sees half a run.
 */
const CHUNK = 2_000;

export interface RunRow {
  id: string;
  job: JobName;
  trigger: string;
  actor: string;
  status: 'running' | 'succeeded' | 'failed';
  startedAt: string;
  finishedAt: string | null;
  asOf: string;
  counts: Record<string, number>;
  error: string | null;
}

export async function startRun(pool: pg.Pool, run: { job: JobName; trigger: string; actor: string; asOf: Date; options: object }): Promise<string> {
  const { rows } = await pool.query<{ id: string }>(
    'INSERT INTO recon.run (job, trigger, actor, as_of, options) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [run.job, run.trigger, run.actor, run.asOf.toISOString(), JSON.stringify(run.options)],
  );
  return String(rows[0].id);
}

export interface RecordedRun {
  counts: Record<string, number>;
  detected: number;
  reopened: number;
  cleared: number;
}

/** Stores what a run found and closes it as succeeded, atomically. */
export async function recordRun(pool: pg.Pool, runId: string, job: JobName, findings: FindingDraft[], profiles: FieldProfile[] = []): Promise<RecordedRun> {
  const counts: Record<string, number> = {};
  const unique = new Map<string, FindingDraft & { id: string }>();
  for (const f of findings) unique.set(findingId(f.kind, f.key), { ...f, id: findingId(f.kind, f.key) });
  for (const f of unique.values()) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  let detected = 0;
  let reopened = 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const all = [...unique.values()];
    for (let i = 0; i < all.length; i += CHUNK) {
      const chunk = all.slice(i, i + CHUNK);
      const before = await client.query<{ id: string; state: string; present: boolean }>(
        'SELECT id, state, present FROM recon.finding WHERE id = ANY($1::text[])', [chunk.map((f) => f.id)],
      );
      const known = new Map(before.rows.map((r) => [r.id, r]));
      const rows = chunk.map((f) => ({
        id: f.id, job, kind: f.kind, finding_key: f.key, entity_type: f.entityType, master_id: f.masterId, summary: f.summary,
        records: f.records, amounts: f.amounts ?? null, detail: f.detail ?? {}, month: f.month ?? null,
      }));
      await client.query(`
        INSERT INTO recon.finding (id, job, kind, finding_key, entity_type, master_id, summary, records, amounts, detail, month, first_run_id, last_run_id)
        SELECT x.id, x.job, x.kind, x.finding_key, x.entity_type, x.master_id, x.summary, x.records, x.amounts, x.detail, x.month, $2, $2
          FROM jsonb_to_recordset($1::jsonb) AS x(id text, job text, kind text, finding_key text, entity_type text, master_id text,
               summary text, records jsonb, amounts jsonb, detail jsonb, month text)
        ON CONFLICT (id) DO UPDATE SET
          master_id = EXCLUDED.master_id, summary = EXCLUDED.summary, records = EXCLUDED.records, amounts = EXCLUDED.amounts,
          detail = EXCLUDED.detail, month = EXCLUDED.month, last_run_id = EXCLUDED.last_run_id, last_seen_at = now(), present = true,
          state = CASE WHEN recon.finding.state = 'resolved' THEN 'open' ELSE recon.finding.state END,
          version = CASE WHEN recon.finding.state = 'resolved' THEN recon.finding.version + 1 ELSE recon.finding.version END`,
        [JSON.stringify(rows), runId]);
      const events: Array<{ finding_id: string; action: string; from_state: string | null; to_state: string }> = [];
      for (const f of chunk) {
        const old = known.get(f.id);
        if (!old) { events.push({ finding_id: f.id, action: 'detected', from_state: null, to_state: 'open' }); detected++; }
        else if (old.state === 'resolved') { events.push({ finding_id: f.id, action: 'reopened', from_state: 'resolved', to_state: 'open' }); reopened++; }
        else if (!old.present) { events.push({ finding_id: f.id, action: 'detected', from_state: old.state, to_state: old.state }); detected++; }
      }
      if (events.length > 0) await insertEvents(client, events, runId);
    }
    const cleared = await client.query<{ id: string; state: string }>(
      `UPDATE recon.finding SET present = false WHERE job = $1 AND present AND last_run_id <> $2 RETURNING id, state`, [job, runId],
    );
    if (cleared.rows.length > 0) {
      await insertEvents(client, cleared.rows.map((r) => ({ finding_id: r.id, action: 'cleared', from_state: r.state, to_state: r.state })), runId);
    }
    if (profiles.length > 0) {
      await client.query(`
        INSERT INTO recon.quality_profile (run_id, system, entity_type, field, records, present, valid, distinct_values)
        SELECT $2, x.system, x.entity_type, x.field, x.records, x.present, x.valid, x.distinct_values
          FROM jsonb_to_recordset($1::jsonb) AS x(system text, entity_type text, field text, records int, present int, valid int, distinct_values int)`,
      [JSON.stringify(profiles.map((p) => ({ system: p.system, entity_type: p.entityType, field: p.field, records: p.records, present: p.present, valid: p.valid, distinct_values: p.distinctValues }))), runId]);
    }
    await client.query(`UPDATE recon.run SET status = 'succeeded', finished_at = now(), counts = $2 WHERE id = $1`, [runId, JSON.stringify(counts)]);
    await client.query('COMMIT');
    return { counts, detected, reopened, cleared: cleared.rows.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function insertEvents(client: pg.PoolClient, events: Array<{ finding_id: string; action: string; from_state: string | null; to_state: string }>, runId: string): Promise<void> {
  for (let i = 0; i < events.length; i += CHUNK) {
    await client.query(`
      INSERT INTO recon.finding_event (finding_id, actor, action, from_state, to_state, run_id)
      SELECT x.finding_id, 'reconciliation', x.action, x.from_state, x.to_state, $2
        FROM jsonb_to_recordset($1::jsonb) AS x(finding_id text, action text, from_state text, to_state text)`,
    [JSON.stringify(events.slice(i, i + CHUNK)), runId]);
  }
}

export async function failRun(pool: pg.Pool, runId: string, error: string): Promise<void> {
  await pool.query(`UPDATE recon.run SET status = 'failed', finished_at = now(), error = $2 WHERE id = $1`, [runId, error.slice(0, 2000)]);
}

const RUN_COLUMNS = `id::text, job, trigger, actor, status, started_at, finished_at, as_of, counts, error`;

function toRun(r: any): RunRow {
  return {
    id: r.id, job: r.job, trigger: r.trigger, actor: r.actor, status: r.status,
    startedAt: new Date(r.started_at).toISOString(), finishedAt: r.finished_at ? new Date(r.finished_at).toISOString() : null,
    asOf: new Date(r.as_of).toISOString(), counts: r.counts ?? {}, error: r.error,
  };
}

/** The latest runs, newest first; of one job when given. */
export async function listRuns(pool: pg.Pool, options: { job?: JobName; limit?: number } = {}): Promise<RunRow[]> {
  const { rows } = await pool.query(
    `SELECT ${RUN_COLUMNS} FROM recon.run WHERE ($1::text IS NULL OR job = $1) ORDER BY id DESC LIMIT $2`,
    [options.job ?? null, options.limit ?? 50],
  );
  return rows.map(toRun);
}

export async function readRun(pool: pg.Pool, id: string): Promise<RunRow | null> {
  if (!/^\d{1,18}$/.test(id)) return null;
  const { rows } = await pool.query(`SELECT ${RUN_COLUMNS} FROM recon.run WHERE id = $1`, [id]);
  return rows[0] ? toRun(rows[0]) : null;
}
