import type pg from 'pg';
import { AuditStore } from './auditStore.js';
import { PublishStore } from './publishStore.js';
import { TokenStore } from './tokenStore.js';
import { TrustedDocumentStore } from './trustedDocumentStore.js';
import { UsageStore } from './usageStore.js';
import { VersionStore } from './versionStore.js';

export { AuditStore, appendAudit } from './auditStore.js';
export { PublishStore } from './publishStore.js';
export { migrateRegistry, migrationsDir, sha256 } from './sql.js';
export { TokenStore } from './tokenStore.js';
export { TrustedDocumentStore, type TrustedDocumentsSummary } from './trustedDocumentStore.js';
export type * from './types.js';
export { UsageStore } from './usageStore.js';
export { VersionStore } from './versionStore.js';

/**
 * The registry's storage, one part per concern, all on one pool: `tokens`
 * (teams and tokens), `versions` (subgraph and supergraph versions, read
 * side), `publishing` (publish and rollback, the only writes of versions),
 * `audit` (the append-only log), `usage` (operations per client) and
 * `trustedDocuments` (each client's manifest, ADR 0014).
 */
export class RegistryStore {
  readonly tokens: TokenStore;
  readonly versions: VersionStore;
  readonly publishing: PublishStore;
  readonly audit: AuditStore;
  readonly usage: UsageStore;
  readonly trustedDocuments: TrustedDocumentStore;

  constructor(pool: pg.Pool) {
    this.tokens = new TokenStore(pool);
    this.versions = new VersionStore(pool);
    this.publishing = new PublishStore(pool);
    this.audit = new AuditStore(pool);
    this.usage = new UsageStore(pool);
    this.trustedDocuments = new TrustedDocumentStore(pool);
  }
}
