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
}
