import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/migrate.js';
import { quoteIdent } from '../../platform/db/pool.js';

export const AUDIT_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Installs audit.field_read (idempotent). `schema` defaults to "audit". */
export function migrateAudit(pool: pg.Pool, schema = 'audit'): Promise<string[]> {
  return migrate(pool, { set: 'audit', dir: AUDIT_MIGRATIONS_DIR, schema, placeholder: 'audit' });
}

/** The operation's identity in the log: sha256 of its text, as Apollo's persisted-query hash. */
export function operationHash(source: string): string {
  return createHash('sha256').update(source).digest('hex');
}

export interface FieldReadRecord {
  subject: string;
  operationName: string | null;
  operationHash: string;
  /** Schema coordinates read, e.g. Customer.primaryEmail. */
  fields: readonly string[];
  entityIds: readonly string[];
  masked: boolean;
  /** @default the time record() was called */
  readAt?: Date;
  /** The x-request-id of the answer the read was part of. */
  requestId?: string | null;
}

export interface FieldReadRow extends Required<Omit<FieldReadRecord, 'requestId'>> {
  id: string;
}

export interface FieldReadFilter {
  subject?: string;
  /** Only reads of this coordinate. */
  field?: string;
  since?: Date;
  /** Keyset paging: rows with an id below this one. */
  beforeId?: string;
  /** @default 100, at most 1000 */
  limit?: number;
}

/** The admin listing (the gateway exposes it to `audit:read` only), newest first. */
export async function listFieldReads(pool: pg.Pool, filter: FieldReadFilter = {}, schema = 'audit'): Promise<FieldReadRow[]> {
  const limit = Math.min(Math.max(filter.limit ?? 100, 1), 1000);
  const { rows } = await pool.query<{
    id: string; read_at: Date; subject: string; operation_name: string | null; operation_hash: string; fields: string[]; entity_ids: string[]; masked: boolean;
  }>(
    `SELECT id::text AS id, read_at, subject, operation_name, operation_hash, fields, entity_ids, masked
       FROM ${quoteIdent(schema)}.field_read
      WHERE ($1::text IS NULL OR subject = $1)
        AND ($2::text IS NULL OR $2 = ANY(fields))
        AND ($3::timestamptz IS NULL OR read_at >= $3)
        AND ($4::bigint IS NULL OR id < $4)
      ORDER BY id DESC
      LIMIT $5`,
    [filter.subject ?? null, filter.field ?? null, filter.since ?? null, filter.beforeId ?? null, limit],
  );
  return rows.map((r) => ({
    id: r.id,
    readAt: r.read_at,
    subject: r.subject,
    operationName: r.operation_name,
    operationHash: r.operation_hash,
    fields: r.fields,
    entityIds: r.entity_ids,
    masked: r.masked,
  }));
}
