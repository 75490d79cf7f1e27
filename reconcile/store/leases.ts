import type pg from 'pg';
import type { JobName } from '../types.js';

/**
 * One run of a job at a time across every replica, by a lease row per job
 * (recon.job_lease) rather than an advisory lock: a session-level advisory
 * lock would need one connection held for a run of minutes, and the embedded
 * PGlite serves every connection from one backend session, where such locks
 * do not exclude anything.
 */

/** Takes the job's lease for `ttlMs` unless a live lease of another holder exists. */
export async function acquireJobLease(pool: pg.Pool, job: JobName, holder: string, ttlMs: number): Promise<boolean> {
  const { rows } = await pool.query(
    `INSERT INTO recon.job_lease (job, holder, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')
     ON CONFLICT (job) DO UPDATE SET holder = EXCLUDED.holder, acquired_at = now(), expires_at = EXCLUDED.expires_at
       WHERE recon.job_lease.expires_at < now() OR recon.job_lease.holder = EXCLUDED.holder
     RETURNING job`,
    [job, holder, ttlMs],
  );
  return rows.length === 1;
}

/** Pushes the lease's expiry on while its holder still has it; false when it was lost. */
export async function extendJobLease(pool: pg.Pool, job: JobName, holder: string, ttlMs: number): Promise<boolean> {
  const { rowCount } = await pool.query(
    `UPDATE recon.job_lease SET expires_at = now() + $3 * interval '1 millisecond' WHERE job = $1 AND holder = $2`,
    [job, holder, ttlMs],
  );
  return rowCount === 1;
}

export async function releaseJobLease(pool: pg.Pool, job: JobName, holder: string): Promise<void> {
  await pool.query('DELETE FROM recon.job_lease WHERE job = $1 AND holder = $2', [job, holder]);
}

/** When the job's latest run that did not fail started, if any. */
export async function lastRunStart(pool: pg.Pool, job: JobName): Promise<Date | null> {
  const { rows } = await pool.query<{ started_at: Date | string }>(
    `SELECT started_at FROM recon.run WHERE job = $1 AND status <> 'failed' ORDER BY started_at DESC LIMIT 1`, [job]);
  return rows.length ? new Date(rows[0].started_at) : null;
}
