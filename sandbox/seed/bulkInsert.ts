import type pg from 'pg';

/**
 * Column-wise row buffers written with one `INSERT … SELECT * FROM unnest(…)`
 * per batch: one array parameter per column, so a batch of thousands of rows
 * is a single statement with a handful of parameters (no 65,535-parameter
 * limit, no per-row round trip). Measured at ~300k rows/s on PostgreSQL 15
 * and ~200k rows/s through pglite-socket (see DEPENDENCIES.md).
 */
export type SqlType = 'int4' | 'int8' | 'text' | 'numeric' | 'bool' | 'jsonb' | 'timestamp' | 'timestamptz' | 'date';

export interface TableSpec {
  /** Schema-qualified table name, e.g. "erp.res_partner". */
  table: string;
  columns: ReadonlyArray<readonly [name: string, type: SqlType]>;
}

/**
 * Rows per statement. Larger batches stop paying off around a few thousand
 * rows (the server-side array parse dominates) and cost client memory.
 * @default 5000
 */
export const BATCH_ROWS = 5_000;

export class RowBuffer {
  private columns: unknown[][];
  constructor(readonly spec: TableSpec) {
    this.columns = spec.columns.map(() => []);
  }

  get length(): number {
    return this.columns[0].length;
  }

  /** Appends one row; values in the spec's column order (null for SQL NULL). */
  push(...values: unknown[]): void {
    if (values.length !== this.columns.length) {
      throw new Error(`${this.spec.table}: expected ${this.columns.length} values, got ${values.length}`);
    }
    for (let i = 0; i < values.length; i++) this.columns[i].push(values[i] ?? null);
  }

  /** Hands the buffered rows over and empties the buffer. */
  take(): unknown[][] {
    const taken = this.columns;
    this.columns = this.spec.columns.map(() => []);
    return taken;
  }
}

export function insertStatement(spec: TableSpec): string {
  const names = spec.columns.map(([name]) => name).join(', ');
  const arrays = spec.columns.map(([, type], i) => `$${i + 1}::${type}[]`).join(', ');
  return `INSERT INTO ${spec.table} (${names}) SELECT * FROM unnest(${arrays})`;
}

/** Writes column arrays in batches of BATCH_ROWS; returns the number of rows written. */
export async function insertColumns(pool: pg.Pool, spec: TableSpec, columns: unknown[][]): Promise<number> {
  const total = columns[0]?.length ?? 0;
  const sql = insertStatement(spec);
  for (let start = 0; start < total; start += BATCH_ROWS) {
    const params = columns.map((values) => (start === 0 && total <= BATCH_ROWS ? values : values.slice(start, start + BATCH_ROWS)));
    await pool.query(sql, params);
  }
  return total;
}
