import type pg from 'pg';
import { iso } from './sql.js';
import type { OperationReport, OperationUse } from './types.js';

/** Which operations (per client) used which schema coordinates: what an operation check weighs a change against. */
export class UsageStore {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Adds a batch of usage reports: operations (hash → name, coordinates) and
   * per-client, per-day counts. Rows are merged in memory first because one
   * INSERT … ON CONFLICT cannot touch the same row twice.
   */
  async recordUsage(reports: OperationReport[]): Promise<number> {
    if (!reports.length) return 0;
    const operations = new Map<string, { hash: string; name: string | null; fields: string[] }>();
    const usage = new Map<string, { operation_hash: string; client_name: string; client_version: string; count: number }>();
    for (const report of reports) {
      operations.set(report.hash, { hash: report.hash, name: report.name ?? null, fields: [...new Set(report.fields)].sort() });
      const clientName = report.clientName ?? '';
      const clientVersion = report.clientVersion ?? '';
      const key = JSON.stringify([report.hash, clientName, clientVersion]);
      const entry = usage.get(key) ?? { operation_hash: report.hash, client_name: clientName, client_version: clientVersion, count: 0 };
      entry.count += report.count;
      usage.set(key, entry);
    }
    await this.pool.query(
      `INSERT INTO registry.operation (hash, name, fields)
       SELECT x.hash, x.name, x.fields FROM jsonb_to_recordset($1::jsonb) AS x(hash text, name text, fields text[])
       ON CONFLICT (hash) DO UPDATE SET name = coalesce(EXCLUDED.name, registry.operation.name), fields = EXCLUDED.fields, last_seen = now()`,
      [JSON.stringify([...operations.values()])],
    );
    await this.pool.query(
      `INSERT INTO registry.operation_usage (operation_hash, client_name, client_version, day, count, last_seen)
       SELECT x.operation_hash, x.client_name, x.client_version, current_date, x.count, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(operation_hash text, client_name text, client_version text, count bigint)
       ON CONFLICT (operation_hash, client_name, client_version, day)
       DO UPDATE SET count = registry.operation_usage.count + EXCLUDED.count, last_seen = now()`,
      [JSON.stringify([...usage.values()])],
    );
    return reports.length;
  }

  /** Operations (per client) that used any of the coordinates within the last `windowDays` days. */
  async operationsUsing(coordinates: string[], windowDays: number): Promise<OperationUse[]> {
    if (!coordinates.length) return [];
    const { rows } = await this.pool.query(
      `SELECT o.hash, o.name, o.fields, u.client_name, u.client_version, sum(u.count)::bigint AS count, max(u.last_seen) AS last_seen
         FROM registry.operation o
         JOIN registry.operation_usage u ON u.operation_hash = o.hash
        WHERE o.fields && $1::text[] AND u.last_seen >= now() - make_interval(days => $2::int)
        GROUP BY o.hash, o.name, o.fields, u.client_name, u.client_version
        ORDER BY count DESC, o.hash LIMIT 1000`,
      [coordinates, windowDays],
    );
    return rows.map((r) => ({
      hash: r.hash, name: r.name, clientName: r.client_name, clientVersion: r.client_version,
      fields: r.fields, count: Number(r.count), lastSeen: iso(r.last_seen),
    }));
  }

  /** Deletes usage older than the retention window, then operations no longer used at all. */
  async pruneUsage(retentionDays: number): Promise<void> {
    await this.pool.query('DELETE FROM registry.operation_usage WHERE last_seen < now() - make_interval(days => $1::int)', [retentionDays]);
    await this.pool.query(
      `DELETE FROM registry.operation o WHERE NOT EXISTS (SELECT 1 FROM registry.operation_usage u WHERE u.operation_hash = o.hash)`,
    );
  }
}
