/** What the registry stores, as its service, checks and client see it. */

export type TokenScope = 'read' | 'gateway' | 'publish' | 'admin';

export interface TokenGrant {
  /** The secret itself; only its SHA-256 digest is stored. */
  token: string;
  scope: TokenScope;
  /** The owning team; required for `publish` tokens. */
  team?: string;
  /** A human name for the token, shown as the actor in the audit log. */
  label?: string;
}

export interface Principal {
  tokenId: number;
  scope: TokenScope;
  team?: string;
  label: string;
}

export interface SubgraphVersion {
  id: number;
  subgraph: string;
  sdl: string;
  sdlHash: string;
  routingUrl: string;
  publishedBy: string;
  commit?: string;
  createdAt: string;
}

export interface SubgraphSummary {
  name: string;
  ownerTeam: string;
  routingUrl: string;
  /** The version inside the current supergraph, if the subgraph is in it. */
  currentVersion?: { id: number; sdlHash: string; publishedBy: string; commit?: string; createdAt: string };
}

export interface SupergraphVersion {
  id: number;
  sdlHash: string;
  isCurrent: boolean;
  action: 'publish' | 'rollback';
  createdBy: string;
  rolledBackTo?: number;
  createdAt: string;
  /** Subgraph name → subgraph version id it was composed from. */
  members: Record<string, number>;
}

export interface OperationReport {
  hash: string;
  name?: string | null;
  clientName?: string | null;
  clientVersion?: string | null;
  fields: string[];
  count: number;
}

export interface OperationUse {
  hash: string;
  name: string | null;
  clientName: string;
  clientVersion: string;
  fields: string[];
  count: number;
  lastSeen: string;
}

/** A token as the admin API shows it: never the secret nor its hash. */
export interface TokenSummary {
  id: number;
  scope: TokenScope;
  team: string | null;
  label: string;
  createdAt: string;
  revoked: boolean;
  revokedAt: string | null;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: 'publish' | 'publish_refused' | 'rollback' | 'token_issued' | 'token_revoked' | 'documents_published';
  subgraph: string | null;
  supergraphVersionId: number | null;
  detail: Record<string, unknown>;
}
