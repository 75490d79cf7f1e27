import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/index.js';

export const RECON_MIGRATIONS_DIR = fileURLToPath(new URL('./migrations/', import.meta.url));

/** Applies the recon schema's numbered migrations (once each). */
export function migrateRecon(pool: pg.Pool): Promise<string[]> {
  return migrate(pool, { set: 'recon', dir: RECON_MIGRATIONS_DIR, schema: 'recon' });
}
