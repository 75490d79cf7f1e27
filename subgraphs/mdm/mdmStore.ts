import type pg from 'pg';
import { GraphQLError } from 'graphql';
import { isDataException, sourceError } from '../../platform/index.js';

/**
 * The batched reads the MDM subgraph makes of the MDM store (schema `mdm`,
 * mdm/store/migrations). Each read is one statement whatever the number of
 * ids, and brings a golden record together with its cross-reference links
 * (a lateral jsonb_agg), so resolving an entity and its source ids is one
 * round trip. Only active golden records are read: a record merged into
 * another is no longer an answer.
 */
export type GoldenEntityType = 'customer' | 'product';

export interface XrefLink {
  /** 'erp' | 'crm' (lower case, as the xref stores it). */
  system: string;
  sourceId: string;
  score: number | null;
  rule: string | null;
  linkedAt: string | null;
}

export interface GoldenRecord {
  masterId: string;
  attributes: Record<string, unknown>;
  links: XrefLink[];
}

export interface GoldenPage {
  records: GoldenRecord[];
  hasNextPage: boolean;
}

export interface MdmStore {
  goldenByIds(entityType: GoldenEntityType, masterIds: readonly string[]): Promise<GoldenRecord[]>;
  productsBySkus(skus: readonly string[]): Promise<Array<GoldenRecord & { sku: string }>>;
  /** `first` records after master id `after` (exclusive), in master-id order. */
  goldenPage(entityType: GoldenEntityType, first: number, after: string | null): Promise<GoldenPage>;
  /** The entity type of each master id that exists, active or not (steward merges check it). */
  entityTypesOf(masterIds: readonly string[]): Promise<Map<string, string>>;
  ping(): Promise<void>;
}

const goldenColumns = /* sql */ `
  g.master_id AS "masterId", g.attributes,
  COALESCE((
    SELECT jsonb_agg(jsonb_build_object(
             'system', x.system, 'sourceId', x.source_id, 'score', x.score, 'rule', x.rule,
             'linkedAt', to_char(x.linked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
           ORDER BY x.system, x.linked_at, x.source_id)
      FROM mdm.xref x
     WHERE x.master_id = g.master_id AND x.entity_type = g.entity_type
  ), '[]'::jsonb) AS links`;

const statements = {
  goldenByIds: `
    SELECT ${goldenColumns}
      FROM mdm.golden_record g
     WHERE g.master_id = ANY($1::text[]) AND g.entity_type = $2 AND g.active`,
  // A seq scan over active products until the store has an index on
  // (attributes->>'sku'); several golden products sharing a SKU should not
  // happen, and if it does the oldest master id answers.
  productsBySkus: `
    SELECT DISTINCT ON (g.attributes->>'sku') g.attributes->>'sku' AS sku, ${goldenColumns}
      FROM mdm.golden_record g
     WHERE g.entity_type = 'product' AND g.active AND g.attributes->>'sku' = ANY($1::text[])
     ORDER BY g.attributes->>'sku', g.master_id`,
  goldenPage: `
    SELECT ${goldenColumns}
      FROM mdm.golden_record g
     WHERE g.entity_type = $1 AND g.active AND ($2::text IS NULL OR g.master_id > $2::text)
     ORDER BY g.master_id
     LIMIT $3`,
  entityTypesOf: `
    SELECT g.master_id AS "masterId", g.entity_type AS "entityType"
      FROM mdm.golden_record g
     WHERE g.master_id = ANY($1::text[])`,
};

export interface MdmStoreOptions {
  /**
   * Send each read as a named prepared statement, parsed once per connection
   * (and, after five runs, planned once if PostgreSQL finds a generic plan
   * no worse); otherwise as the unnamed statement, parsed and planned on
   * every call. Off for PgBouncer in transaction mode before 1.21 (or without
   * `max_prepared_statements`). @default true
   */
  namedStatements?: boolean;
}

export function createMdmStore(pool: pg.Pool, options: MdmStoreOptions = {}): MdmStore {
  const named = options.namedStatements ?? true;
  async function select<R extends pg.QueryResultRow>(operation: string, text: string, values: unknown[]): Promise<R[]> {
    try {
      // The operation names the statement: one text per operation.
      const query: pg.QueryConfig = named ? { name: `mdm.${operation}`, text, values } : { text, values };
      return (await pool.query<R>(query)).rows;
    } catch (error) {
      const reason = (error as { code?: string }).code;
      if (isDataException(error)) {
        throw new GraphQLError(`the MDM store refused a value of the request (${operation})`, {
          extensions: { code: 'BAD_USER_INPUT', operation, reason },
        });
      }
      const failure = sourceError('mdm', 'UNAVAILABLE', `the MDM store could not be read (${operation})`, {
        operation,
        ...(reason ? { reason } : {}),
      });
      failure.cause = error;
      throw failure;
    }
  }

  return {
    goldenByIds: (entityType, masterIds) =>
      select(`golden.${entityType}.byId`, statements.goldenByIds, [masterIds, entityType]),
    productsBySkus: (skus) => select('golden.product.bySku', statements.productsBySkus, [skus]),
    async goldenPage(entityType, first, after) {
      // One row more than asked tells whether a next page exists.
      const rows = await select<GoldenRecord>(`golden.${entityType}.page`, statements.goldenPage, [entityType, after, first + 1]);
      return { records: rows.slice(0, first), hasNextPage: rows.length > first };
    },
    async entityTypesOf(masterIds) {
      const rows = await select<{ masterId: string; entityType: string }>('golden.entityTypes', statements.entityTypesOf, [masterIds]);
      return new Map(rows.map((row) => [row.masterId, row.entityType]));
    },
    async ping() {
      await select('health', 'select 1', []);
    },
  };
}
