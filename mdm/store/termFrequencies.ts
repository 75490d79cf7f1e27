import type pg from 'pg';
import type { EntityConfig } from '../entities/types.js';
import { tokenTableName } from '../compare/index.js';
import { termCounts, termTables } from '../score/index.js';

const WORD_TABLE_SUFFIX = tokenTableName('');
import type { StandardisedRecord } from '../types.js';
import { chunks } from './json.js';

type Queryable = pg.Pool | pg.PoolClient;

/** Value → share of records holding it, per tf-adjusted attribute: the shape the score step reads. */
export type TermFrequencyTable = Map<string, Map<string, number>>;

/**
 * Replaces the stored term frequencies of one entity type with those of the
 * batch's records (mdm.term_frequency, mdm.term_frequency_total), in the
 * caller's transaction. Every tf-adjusted attribute gets a total row, even
 * at zero: its presence tells matchOne the batch has counted.
 */
export async function writeTermFrequencies(client: Queryable, config: EntityConfig, records: StandardisedRecord[]): Promise<void> {
  const tables = termCounts(records, config.comparisons);
  await client.query('DELETE FROM mdm.term_frequency WHERE entity_type = $1', [config.entityType]);
  await client.query('DELETE FROM mdm.term_frequency_total WHERE entity_type = $1', [config.entityType]);
  const rows: [string, string, number][] = [];
  for (const [attribute, { counts }] of tables) for (const [value, n] of counts) rows.push([attribute, value, n]);
  for (const chunk of chunks(rows, 10_000)) {
    await client.query(
      `INSERT INTO mdm.term_frequency (entity_type, attribute, value, records)
       SELECT $1, t.a, t.v, t.n FROM unnest($2::text[], $3::text[], $4::int[]) AS t(a, v, n)`,
      [config.entityType, chunk.map((r) => r[0]), chunk.map((r) => r[1]), chunk.map((r) => r[2])],
    );
  }
  const totals = [...tables].map(([attribute, { total }]) => [attribute, total] as const);
  await client.query(
    `INSERT INTO mdm.term_frequency_total (entity_type, attribute, records)
     SELECT $1, t.a, t.n FROM unnest($2::text[], $3::int[]) AS t(a, n)`,
    [config.entityType, totals.map((t) => t[0]), totals.map((t) => t[1])],
  );
}

/**
 * Keeps the stored counts current when one record arrives or changes: its
 * previous values (if any) are taken out, its new ones put in, so the counts
 * stay those a batch over every record would make. Does nothing until a
 * batch has counted (no totals stored): counts started from an empty table
 * would call every value rare. Returns whether the counts are in use.
 */
export async function adjustTermFrequencies(
  client: pg.PoolClient,
  config: EntityConfig,
  previous: StandardisedRecord | null,
  current: StandardisedRecord,
  /** Whether counts exist, when the caller knows already (several records in one transaction ask once). */
  known?: boolean,
): Promise<boolean> {
  return adjustTermFrequenciesOf(client, config, [{ previous, current }], known);
}

/**
 * adjustTermFrequencies for several records at once: every record's values
 * out and in, netted per value, in at most four statements; the counts come
 * out as if the records were adjusted one after the other.
 */
export async function adjustTermFrequenciesOf(
  client: pg.PoolClient,
  config: EntityConfig,
  changes: { previous: StandardisedRecord | null; current: StandardisedRecord }[],
  known?: boolean,
): Promise<boolean> {
  const counted = known ?? Boolean((await client.query('SELECT 1 FROM mdm.term_frequency_total WHERE entity_type = $1 LIMIT 1', [config.entityType])).rowCount);
  if (!counted) return false;
  const delta = new Map<string, { table: string; value: string; n: number }>();
  const totals = new Map<string, number>();
  const add = (table: string, value: string, n: number) => {
    const key = `${table}\u0000${value}`;
    const entry = delta.get(key) ?? delta.set(key, { table, value, n: 0 }).get(key)!;
    entry.n += n;
  };
  // Whole values of tf-adjusted attributes, and words of word-weighted ones: the values the record held go out, those it holds go in.
  for (const { previous, current } of changes) {
    for (const c of config.comparisons) {
      for (const { table, values } of termTables(c)) {
        const before = previous ? values(previous) : [];
        const after = values(current);
        const kept = new Set(after);
        const had = new Set(before);
        for (const v of had) if (!kept.has(v)) add(table, v, -1);
        for (const v of kept) if (!had.has(v)) add(table, v, 1);
        const d = (after.length > 0 ? 1 : 0) - (before.length > 0 ? 1 : 0);
        if (d !== 0) totals.set(table, (totals.get(table) ?? 0) + d);
      }
    }
  }
  const out = [...delta.values()].filter((d) => d.n < 0);
  const into = [...delta.values()].filter((d) => d.n > 0);
  if (out.length > 0) {
    await client.query(
      `UPDATE mdm.term_frequency f SET records = f.records + t.n FROM unnest($2::text[], $3::text[], $4::int[]) AS t(a, v, n)
        WHERE f.entity_type = $1 AND f.attribute = t.a AND f.value = t.v`,
      [config.entityType, out.map((o) => o.table), out.map((o) => o.value), out.map((o) => o.n)],
    );
    await client.query(
      `DELETE FROM mdm.term_frequency f USING unnest($2::text[], $3::text[]) AS t(a, v)
        WHERE f.entity_type = $1 AND f.attribute = t.a AND f.value = t.v AND f.records <= 0`,
      [config.entityType, out.map((o) => o.table), out.map((o) => o.value)],
    );
  }
  if (into.length > 0) {
    await client.query(
      `INSERT INTO mdm.term_frequency (entity_type, attribute, value, records)
       SELECT $1, t.a, t.v, t.n FROM unnest($2::text[], $3::text[], $4::int[]) AS t(a, v, n)
       ON CONFLICT (entity_type, attribute, value) DO UPDATE SET records = mdm.term_frequency.records + excluded.records`,
      [config.entityType, into.map((o) => o.table), into.map((o) => o.value), into.map((o) => o.n)],
    );
  }
  const moved = [...totals].filter(([, d]) => d !== 0);
  if (moved.length > 0) {
    await client.query(
      `UPDATE mdm.term_frequency_total f SET records = greatest(0, f.records + t.d) FROM unnest($2::text[], $3::int[]) AS t(a, d)
        WHERE f.entity_type = $1 AND f.attribute = t.a`,
      [config.entityType, moved.map((m) => m[0]), moved.map((m) => m[1])],
    );
  }
  return true;
}

/**
 * The stored shares of the values these records hold (the left side of each
 * scored pair is the one whose value is looked up, as in the batch), read
 * through the primary key: a handful of rows, whatever the store's size.
 * Adds to `into` when given, so a second call fetches only what is new.
 */
export async function readTermFrequencies(
  db: Queryable,
  config: EntityConfig,
  records: StandardisedRecord[],
  into: TermFrequencyTable = new Map(),
): Promise<TermFrequencyTable> {
  const attributes: string[] = []; const values: string[] = [];
  const asked = new Set<string>();
  for (const c of config.comparisons) {
    for (const { table, values: valuesOf } of termTables(c)) {
      for (const r of records) {
        for (const v of valuesOf(r)) {
          if (into.get(table)?.has(v)) continue;
          const key = `${table}\u0000${v}`;
          if (asked.has(key)) continue;
          asked.add(key); attributes.push(table); values.push(v);
        }
      }
    }
  }
  if (values.length === 0) return into;
  // One primary-key lookup per value (LIMIT 1 keeps the planner from turning the lookups into a join over every
  // counted value of the attribute: with statistics older than a fast-growing table it read all of them, 40,798
  // rows for 3,000 values at 20,000 companies, and the cost grew with the store).
  const { rows } = await db.query(
    `SELECT q.attribute, q.value, f.records, t.records AS total
       FROM unnest($2::text[], $3::text[]) AS q(attribute, value)
       CROSS JOIN LATERAL (SELECT records FROM mdm.term_frequency
                            WHERE entity_type = $1 AND attribute = q.attribute AND value = q.value LIMIT 1) f
       JOIN mdm.term_frequency_total t ON t.entity_type = $1 AND t.attribute = q.attribute`,
    [config.entityType, attributes, values],
  );
  for (const row of rows) {
    const table = into.get(row.attribute) ?? into.set(row.attribute, new Map()).get(row.attribute)!;
    table.set(row.value, Number(row.records) / Math.max(1, Number(row.total)));
  }
  // Word tables also carry the share of a word seen once (key ''), the weight of a word the counts do not hold.
  const wordTables = [...new Set(attributes.filter((a) => a.endsWith(WORD_TABLE_SUFFIX) && !into.get(a)?.has('')))];
  if (wordTables.length > 0) {
    const totals = await db.query(
      'SELECT attribute, records FROM mdm.term_frequency_total WHERE entity_type = $1 AND attribute = ANY($2::text[])',
      [config.entityType, wordTables],
    );
    for (const row of totals.rows) {
      const table = into.get(row.attribute) ?? into.set(row.attribute, new Map()).get(row.attribute)!;
      table.set('', 1 / Math.max(1, Number(row.records)));
    }
  }
  return into;
}
