import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { quoteIdent } from './pool.js';

/**
 * Applies a folder of numbered `.sql` files to one schema, once each, in order.
 * Files name their tables `<placeholder>.table`; the placeholder is replaced by
 * the target schema so one migration set can be installed under any schema
 * name (the ERP tables live in "erp" in the sandbox, in "public" in real Odoo).
 * Each file runs in its own transaction and is recorded in
 * public.concord_migrations, so a re-run is a no-op and a failed file leaves
 * nothing half-applied.
 */
export async function migrate(
  pool: pg.Pool,
  options: { set: string; dir: string; schema: string; placeholder?: string },
): Promise<string[]> {
  const schema = quoteIdent(options.schema);
  const placeholder = options.placeholder ?? options.schema;
  const files = (await readdir(options.dir)).filter((f) => f.endsWith('.sql')).sort();
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS public.concord_migrations (
      set_name text NOT NULL, schema_name text NOT NULL, file text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (set_name, schema_name, file))`);
    for (const file of files) {
      const done = await client.query(
        'SELECT 1 FROM public.concord_migrations WHERE set_name = $1 AND schema_name = $2 AND file = $3',
        [options.set, options.schema, file],
      );
      if (done.rowCount) continue;
      const raw = await readFile(path.join(options.dir, file), 'utf8');
      const sql = raw.replace(new RegExp(`\\b${placeholder}\\.`, 'g'), `${schema}.`);
      await client.query('BEGIN');
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await client.query(sql);
        await client.query(
          'INSERT INTO public.concord_migrations (set_name, schema_name, file) VALUES ($1, $2, $3)',
          [options.set, options.schema, file],
        );
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw new Error(`migration ${options.set}/${file} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(file);
    }
  } finally {
    client.release();
  }
  return applied;
}
