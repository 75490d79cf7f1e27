import type pg from 'pg';
import { iso, type Queryable } from './sql.js';
import type { AuditEntry } from './types.js';

/**
 * Appends one entry to the append-only audit log. Callers that change state
 * pass their transaction's connection, so the change and its entry commit
 * together or not at all.
 */
export async function appendAudit(
  db: Queryable,
  entry: { actor: string; action: AuditEntry['action']; subgraph?: string; supergraphVersionId?: number; detail: Record<string, unknown> },
): Promise<void> {
  await db.query(
    'INSERT INTO registry.audit_log (actor, action, subgraph, supergraph_version_id, detail) VALUES ($1, $2, $3, $4, $5)',
    [entry.actor, entry.action, entry.subgraph ?? null, entry.supergraphVersionId ?? null, JSON.stringify(entry.detail)],
  );
}

/** The registry's audit log: who published, was refused, rolled back, issued or revoked a token. */
export class AuditStore {
  constructor(private readonly pool: pg.Pool) {}

  async auditRefusedPublish(actor: string, subgraph: string, detail: Record<string, unknown>): Promise<void> {
    await appendAudit(this.pool, { actor, action: 'publish_refused', subgraph, detail });
  }

  async auditLog(limit = 100): Promise<AuditEntry[]> {
    const { rows } = await this.pool.query(
      'SELECT id, at, actor, action, subgraph, supergraph_version_id, detail FROM registry.audit_log ORDER BY id DESC LIMIT $1',
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id), at: iso(r.at), actor: r.actor, action: r.action, subgraph: r.subgraph,
      supergraphVersionId: r.supergraph_version_id == null ? null : Number(r.supergraph_version_id), detail: r.detail,
    }));
  }
}
