import type pg from 'pg';
import { MdmError } from '../errors.js';
import { standardiseDomain, standardiseGtin, standardiseSku, standardiseTaxId } from '../standardise/index.js';
import type { Provenance } from '../survive/index.js';

/** A golden record as the MDM subgraph serves it. */
export interface GoldenRecord {
  masterId: string;
  entityType: string;
  attributes: Record<string, unknown>;
  provenance: Record<string, Provenance>;
  active: boolean;
  version: number;
  sources: { system: string; sourceId: string; score: number | null; rule: string; linkedAt: string }[];
}

/** Golden records by master id, in the order asked (null for unknown ids): a DataLoader batch function. */
export async function getGoldenRecords(db: pg.Pool | pg.PoolClient, masterIds: readonly string[]): Promise<(GoldenRecord | null)[]> {
  const { rows } = await db.query(
    `SELECT g.master_id, g.entity_type, g.attributes, g.provenance, g.active, g.version,
            coalesce(json_agg(json_build_object('system', x.system, 'sourceId', x.source_id, 'score', x.score, 'rule', x.rule, 'linkedAt', x.linked_at)
                     ORDER BY x.system, x.source_id) FILTER (WHERE x.source_id IS NOT NULL), '[]') AS sources
       FROM mdm.golden_record g LEFT JOIN mdm.xref x ON x.master_id = g.master_id
      WHERE g.master_id = ANY($1::text[])
      GROUP BY g.master_id`,
    [masterIds],
  );
  const byId = new Map(rows.map((r) => [r.master_id as string, {
    masterId: r.master_id, entityType: r.entity_type, attributes: r.attributes, provenance: r.provenance,
    active: r.active, version: r.version, sources: r.sources,
  } satisfies GoldenRecord]));
  return masterIds.map((id) => byId.get(id) ?? null);
}

/** The master id of each source record (null when not linked), in the order asked. */
export async function getMasterIdsBySource(
  db: pg.Pool | pg.PoolClient,
  entityType: string,
  sources: readonly { system: string; sourceId: string }[],
): Promise<(string | null)[]> {
  const { rows } = await db.query(
    `SELECT x.system, x.source_id, x.master_id FROM mdm.xref x
       JOIN unnest($2::text[], $3::text[]) AS t(system, source_id) ON x.system = t.system AND x.source_id = t.source_id
      WHERE x.entity_type = $1`,
    [entityType, sources.map((s) => s.system), sources.map((s) => s.sourceId)],
  );
  const byKey = new Map(rows.map((r) => [`${r.system}:${r.source_id}`, r.master_id as string]));
  return sources.map((s) => byKey.get(`${s.system}:${s.sourceId}`) ?? null);
}

export interface SearchOptions {
  entityType: 'customer' | 'product' | string;
  /** Fuzzy name (trigram similarity on the golden name). */
  name?: string;
  taxId?: string;
  domain?: string;
  sku?: string;
  gtin?: string;
  /** @default 20, at most 100 */
  first?: number;
  after?: string;
}

export interface SearchPage {
  nodes: (GoldenRecord & { similarity: number | null })[];
  endCursor: string | null;
  hasNextPage: boolean;
}

/** Fuzzy-name cut-off: one typo in a 5–6 letter word still scores ≥ 0.4. */
const NAME_SEARCH_THRESHOLD = 0.4;

/**
 * Search over active golden records: fuzzy by name (pg_trgm), exact by the
 * standardised tax id, domain, SKU or GTIN of any of their source records.
 * Filters combine with AND; pages by offset cursor, best similarity first.
 */
export async function searchGoldenRecords(db: pg.Pool | pg.PoolClient, options: SearchOptions): Promise<SearchPage> {
  const first = Math.min(Math.max(options.first ?? 20, 1), 100);
  const offset = options.after ? decodeCursor(options.after) : 0;
  const identifiers: [string, string | null][] = [
    ['taxId', options.taxId ? standardiseTaxId(options.taxId) : null],
    ['domain', options.domain ? standardiseDomain(options.domain) : null],
    ['sku', options.sku ? standardiseSku(options.sku) : null],
    ['gtin', options.gtin ? standardiseGtin(options.gtin) : null],
  ];
  const params: unknown[] = [options.entityType];
  const where: string[] = ['g.entity_type = $1', 'g.active'];
  for (const [attribute, value] of identifiers) {
    if (value === null) continue;
    params.push(value);
    where.push(`g.master_id IN (SELECT x.master_id FROM mdm.source_record s JOIN mdm.xref x
                 ON x.entity_type = s.entity_type AND x.system = s.system AND x.source_id = s.source_id
                WHERE s.entity_type = $1 AND s.standardized->>'${attribute}' = $${params.length})`);
  }
  let similarity = 'NULL::real';
  if (options.name && options.name.trim() !== '') {
    params.push(options.name.trim().toLowerCase());
    // word_similarity scores the query against the best-matching words of the
    // name, so "glbex" finds "Globex Corporation" (0.44), where whole-name
    // similarity is diluted by "corporation" (0.19). The threshold is written
    // out rather than read from pg_trgm.word_similarity_threshold (0.6, too
    // strict for one typo in a short word): session settings are shared by
    // every connection under PGlite. The cost is a scan of the entity's golden
    // names instead of a trigram-index lookup.
    const q = `$${params.length}`;
    // The substring match takes the term literally: % and _ in a name are
    // characters to find, not LIKE wildcards (a search for "%" must not list
    // every record).
    params.push(escapeLikePattern(options.name.trim().toLowerCase()));
    const literal = `$${params.length}`;
    similarity = `greatest(public.similarity(lower(g.attributes->>'name'), ${q}), public.word_similarity(${q}, lower(g.attributes->>'name')))`;
    where.push(`(${similarity} >= ${NAME_SEARCH_THRESHOLD} OR lower(g.attributes->>'name') LIKE '%' || ${literal} || '%' ESCAPE '\\')`);
  }
  if (params.length === 1) throw new MdmError('MDM_INVALID_ARGUMENT', 'search needs at least one of name, taxId, domain, sku, gtin');
  params.push(first + 1, offset);
  const { rows } = await db.query(
    `SELECT g.master_id, ${similarity} AS similarity FROM mdm.golden_record g
      WHERE ${where.join(' AND ')}
      ORDER BY similarity DESC NULLS LAST, g.master_id LIMIT $${params.length - 1} OFFSET $${params.length}`,
    params,
  );
  const page = rows.slice(0, first);
  const records = await getGoldenRecords(db, page.map((r) => r.master_id));
  return {
    nodes: records.map((r, i) => ({ ...r!, similarity: page[i].similarity })),
    endCursor: page.length ? Buffer.from(`offset:${offset + page.length}`).toString('base64url') : null,
    hasNextPage: rows.length > first,
  };
}

/** Escapes LIKE's wildcards (% and _) and its escape character (\\) so the pattern matches the text literally. */
export function escapeLikePattern(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

function decodeCursor(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new MdmError('MDM_INVALID_ARGUMENT', `invalid cursor ${JSON.stringify(cursor)}: pass the endCursor of a previous page`);
  return Number(match[1]);
}
