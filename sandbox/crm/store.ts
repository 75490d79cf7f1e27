import type pg from 'pg';
import type { ObjectType } from './objectTypes.js';
import { compileSearch, type SearchRequest } from './search.js';
import type { ObjectRow } from './serialize.js';
import { SqlParams } from './sql.js';

/** One stored association edge, read from the `from` side. */
export interface AssociationRow {
  from_id: string;
  to_id: string;
  type_id: number;
  category: string;
  label: string | null;
}

const OBJECT_COLUMNS = 'o.id::text AS id, o.properties, o.created_at, o.updated_at, o.archived';

/** HubSpot ids are positive 64-bit integers; anything else cannot name a stored record. */
export function isObjectId(id: string): boolean {
  return /^\d{1,18}$/.test(id);
}

/**
 * The CRM stand-in's reads over crm.objects and crm.associations. Each method
 * is one SQL statement, whatever the number of ids asked for (batch reads use
 * `= ANY($n)`), so the backend round trips a test counts are the requests.
 */
export class CrmStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Reads records by id, or by the value of `idProperty` when given (HubSpot's idProperty). */
  async readObjects(type: ObjectType, ids: readonly string[], options: { idProperty?: string; archived: boolean }): Promise<ObjectRow[]> {
    if (ids.length === 0) return [];
    if (options.idProperty && options.idProperty !== 'hs_object_id') {
      const { rows } = await this.pool.query<ObjectRow>(
        `SELECT ${OBJECT_COLUMNS} FROM crm.objects o
          WHERE o.object_type = $1 AND o.archived = $2 AND o.properties->>$3 = ANY($4::text[])
          ORDER BY o.id`,
        [type, options.archived, options.idProperty, ids],
      );
      return rows;
    }
    const numeric = ids.filter(isObjectId);
    if (numeric.length === 0) return [];
    const { rows } = await this.pool.query<ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM crm.objects o
        WHERE o.object_type = $1 AND o.archived = $2 AND o.id = ANY($3::bigint[])`,
      [type, options.archived, numeric],
    );
    return rows;
  }

  /** One page of the list endpoint: keyset paging on id, asking one row more to know whether a next page exists. */
  async listObjects(type: ObjectType, options: { afterId: string | undefined; limit: number; archived: boolean }): Promise<ObjectRow[]> {
    const { rows } = await this.pool.query<ObjectRow>(
      `SELECT ${OBJECT_COLUMNS} FROM crm.objects o
        WHERE o.object_type = $1 AND o.archived = $2 AND o.id > $3::bigint
        ORDER BY o.id LIMIT $4`,
      [type, options.archived, options.afterId ?? '0', options.limit + 1],
    );
    return rows;
  }

  /** Runs a validated search; `total` counts every match, not just the page. */
  async searchObjects(type: ObjectType, request: SearchRequest): Promise<{ total: number; rows: ObjectRow[] }> {
    const params = new SqlParams();
    const typeParam = params.add(type);
    const { where, orderBy } = compileSearch(type, request, params);
    const matches = `FROM crm.objects o WHERE o.object_type = ${typeParam} AND NOT o.archived AND ${where}`;
    // One statement: the page and the total, even when the page is past the end.
    const sql = `WITH page AS (
        SELECT ${OBJECT_COLUMNS}, row_number() OVER (ORDER BY ${orderBy}) AS position ${matches}
        ORDER BY ${orderBy} LIMIT ${params.add(request.limit)} OFFSET ${params.add(request.offset)}
      )
      SELECT (SELECT count(*) ${matches})::int AS total, page.* FROM (SELECT 1) AS one LEFT JOIN page ON true
      ORDER BY page.position`;
    const { rows } = await this.pool.query<ObjectRow & { total: number; position: string | null }>(sql, params.values);
    const total = rows[0]?.total ?? 0;
    return { total, rows: rows.filter((row) => row.position !== null) };
  }

  /** Every association from the given records to objects of `toType`, in one statement. */
  async readAssociations(fromType: ObjectType, fromIds: readonly string[], toType: ObjectType): Promise<AssociationRow[]> {
    const ids = fromIds.filter(isObjectId);
    if (ids.length === 0) return [];
    const { rows } = await this.pool.query<AssociationRow>(
      `SELECT a.from_id::text AS from_id, a.to_id::text AS to_id, a.type_id, a.category, a.label
         FROM crm.associations a
        WHERE a.from_type = $1 AND a.to_type = $2 AND a.from_id = ANY($3::bigint[])
        ORDER BY a.from_id, a.to_id, a.type_id`,
      [fromType, toType, ids],
    );
    return rows;
  }

  /** Creates a record with the next id of the sandbox's sequence. */
  async createObject(type: ObjectType, properties: Record<string, string | null>): Promise<ObjectRow> {
    const { rows } = await this.pool.query<ObjectRow>(
      `INSERT INTO crm.objects (object_type, id, properties) VALUES ($1, nextval('crm.object_id_seq'), $2::jsonb)
       RETURNING id::text AS id, properties, created_at, updated_at, archived`,
      [type, JSON.stringify(properties)],
    );
    return rows[0];
  }

  /** Sets properties of a live record; answers the names whose value changed (null: no such record). */
  async updateObject(type: ObjectType, id: string, properties: Record<string, string | null>): Promise<{ row: ObjectRow; changed: string[] } | null> {
    const before = (await this.readObjects(type, [id], { archived: false }))[0];
    if (!before) return null;
    const changed = Object.keys(properties).filter((k) => (before.properties[k] ?? null) !== properties[k]);
    const { rows } = await this.pool.query<ObjectRow>(
      `UPDATE crm.objects o SET properties = o.properties || $3::jsonb, updated_at = now()
        WHERE o.object_type = $1 AND o.id = $2::bigint AND NOT o.archived
        RETURNING o.id::text AS id, o.properties, o.created_at, o.updated_at, o.archived`,
      [type, id, JSON.stringify(properties)],
    );
    return rows[0] ? { row: rows[0], changed } : null;
  }

  /** Archives a live record (HubSpot's DELETE). */
  async archiveObject(type: ObjectType, id: string): Promise<ObjectRow | null> {
    const { rows } = await this.pool.query<ObjectRow>(
      `UPDATE crm.objects o SET archived = true, updated_at = now() WHERE o.object_type = $1 AND o.id = $2::bigint AND NOT o.archived
        RETURNING o.id::text AS id, o.properties, o.created_at, o.updated_at, o.archived`,
      [type, id],
    );
    return rows[0] ?? null;
  }

  /**
   * Merges `merged` into `primary` in one transaction: the primary keeps its
   * values and takes the merged record's where it has none, the merged
   * record's associations move over, and the merged record is archived.
   */
  async mergeObjects(type: ObjectType, primary: string, merged: string): Promise<{ row: ObjectRow; moved: number } | null> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query(
        `SELECT id::text AS id, properties FROM crm.objects WHERE object_type = $1 AND id = ANY($2::bigint[]) AND NOT archived FOR UPDATE`,
        [type, [primary, merged]],
      );
      const p = rows.find((r) => r.id === primary);
      const m = rows.find((r) => r.id === merged);
      if (!p || !m) {
        await client.query('ROLLBACK');
        return null;
      }
      const filled: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(m.properties as Record<string, unknown>)) if ((p.properties[k] ?? null) === null && v !== null) filled[k] = v;
      const updated = await client.query<ObjectRow>(
        `UPDATE crm.objects o SET properties = $3::jsonb || o.properties, updated_at = now() WHERE o.object_type = $1 AND o.id = $2::bigint
          RETURNING o.id::text AS id, o.properties, o.created_at, o.updated_at, o.archived`,
        [type, primary, JSON.stringify(filled)],
      );
      await client.query(
        `INSERT INTO crm.associations (from_type, from_id, to_type, to_id, type_id, category, label)
         SELECT from_type, $2::bigint, to_type, to_id, type_id, category, label FROM crm.associations WHERE from_type = $1 AND from_id = $3::bigint
         ON CONFLICT DO NOTHING`,
        [type, primary, merged],
      );
      await client.query(
        `INSERT INTO crm.associations (from_type, from_id, to_type, to_id, type_id, category, label)
         SELECT from_type, from_id, to_type, $2::bigint, type_id, category, label FROM crm.associations WHERE to_type = $1 AND to_id = $3::bigint
         ON CONFLICT DO NOTHING`,
        [type, primary, merged],
      );
      await client.query('DELETE FROM crm.associations WHERE (from_type = $1 AND from_id = $2::bigint) OR (to_type = $1 AND to_id = $2::bigint)', [type, merged]);
      await client.query('UPDATE crm.objects SET archived = true, updated_at = now() WHERE object_type = $1 AND id = $2::bigint', [type, merged]);
      await client.query('COMMIT');
      return { row: updated.rows[0], moved: Object.keys(filled).length };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
