import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../../platform/db/index.js';

/**
 * PostgreSQL storage of the registry (schema `registry`). Plain parameterised
 * SQL (its statements run too rarely to be worth naming), and the only
 * transactions are the short publish/rollback switches and token changes:
 * all checking and composing happens before BEGIN.
 */

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'migrations');

/** Installs or upgrades the registry tables. */
export async function migrateRegistry(pool: pg.Pool): Promise<string[]> {
  return migrate(pool, { set: 'registry', dir: migrationsDir, schema: 'registry' });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export const iso = (value: Date | string): string => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

/** Runs `work` in one transaction on one connection: committed whole, or rolled back whole. */
export async function transaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** A pool or a transaction's connection: what a statement runs on. */
export type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;
