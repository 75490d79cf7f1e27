import type pg from 'pg';

export interface ProfileRow {
  runId: string;
  at: string;
  system: string;
  entityType: string;
  field: string;
  records: number;
  present: number;
  valid: number | null;
  distinctValues: number;
  completeness: number;
  validity: number | null;
  uniqueness: number;
}

function toProfile(r: any): ProfileRow {
  const records = Number(r.records);
  const present = Number(r.present);
  return {
    runId: String(r.run_id), at: new Date(r.at).toISOString(), system: r.system, entityType: r.entity_type, field: r.field,
    records, present, valid: r.valid === null ? null : Number(r.valid), distinctValues: Number(r.distinct_values),
    completeness: records === 0 ? 0 : present / records,
    validity: r.valid === null ? null : present === 0 ? 0 : Number(r.valid) / present,
    uniqueness: present === 0 ? 0 : Number(r.distinct_values) / present,
  };
}

/** The latest profile: one row per source, entity and field. */
export async function latestProfile(pool: pg.Pool): Promise<ProfileRow[]> {
  const { rows } = await pool.query(`
    SELECT p.*, r.started_at AS at FROM recon.quality_profile p JOIN recon.run r ON r.id = p.run_id
     WHERE p.run_id = (SELECT max(id) FROM recon.run WHERE job = 'qualityProfile' AND status = 'succeeded')
     ORDER BY p.entity_type, p.system, p.field`);
  return rows.map(toProfile);
}

/** The profile of the last `runs` successful profiling runs, oldest first: the trend. */
export async function profileTrend(pool: pg.Pool, runs = 20): Promise<ProfileRow[]> {
  const { rows } = await pool.query(`
    SELECT p.*, r.started_at AS at FROM recon.quality_profile p JOIN recon.run r ON r.id = p.run_id
     WHERE p.run_id IN (SELECT id FROM recon.run WHERE job = 'qualityProfile' AND status = 'succeeded' ORDER BY id DESC LIMIT $1)
     ORDER BY p.run_id, p.entity_type, p.system, p.field`, [runs]);
  return rows.map(toProfile);
}
