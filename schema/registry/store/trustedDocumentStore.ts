import type pg from 'pg';
import type { TrustedDocumentManifest } from '../../../platform/persisted/trustedDocumentManifest.js';
import { appendAudit } from './auditStore.js';
import { iso, transaction } from './sql.js';

/** What the registry says of a client's published manifest. */
export interface TrustedDocumentsSummary {
  client: string;
  operations: number;
  publishedAt: string;
  publishedBy: string;
}

function toSummary(row: Record<string, unknown>): TrustedDocumentsSummary {
  return { client: row.client as string, operations: Number(row.operation_count), publishedAt: iso(row.published_at as Date), publishedBy: row.published_by as string };
}

/** Each client's trusted-document manifest (ADR 0014): replaced whole on publish, the publish in the audit log. */
export class TrustedDocumentStore {
  constructor(private readonly pool: pg.Pool) {}

  /** Replaces a client's manifest and logs `documents_published`, in one transaction. */
  async save(client: string, manifest: TrustedDocumentManifest, actor: string): Promise<TrustedDocumentsSummary> {
    return transaction(this.pool, async (db) => {
      const { rows } = await db.query(
        `INSERT INTO registry.trusted_document_manifest (client, manifest, operation_count, published_by) VALUES ($1, $2, $3, $4)
         ON CONFLICT (client) DO UPDATE SET manifest = EXCLUDED.manifest, operation_count = EXCLUDED.operation_count,
           published_at = now(), published_by = EXCLUDED.published_by
         RETURNING client, operation_count, published_at, published_by`,
        [client, JSON.stringify(manifest), manifest.operations.length, actor],
      );
      await appendAudit(db, { actor, action: 'documents_published', detail: { client, operations: manifest.operations.length } });
      return toSummary(rows[0]);
    });
  }

  /** Every client's current manifest (what gateways follow). */
  async list(): Promise<Array<TrustedDocumentsSummary & { manifest: TrustedDocumentManifest }>> {
    const { rows } = await this.pool.query('SELECT client, manifest, operation_count, published_at, published_by FROM registry.trusted_document_manifest ORDER BY client');
    return rows.map((row) => ({ ...toSummary(row), manifest: row.manifest as TrustedDocumentManifest }));
  }
}
