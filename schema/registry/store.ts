import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/index.js';
import { RegistryError } from './errors.js';

/**
 * PostgreSQL storage of the registry (schema `registry`). Plain parameterised
 * SQL, no named prepared statements (PGlite shares one session between
 * connections), and the only transactions are the short publish/rollback
 * switches: all checking and composing happens before BEGIN.
 */

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
  action: 'publish' | 'publish_refused' | 'rollback' | 'token_issued' | 'token_revoked';
  subgraph: string | null;
  supergraphVersionId: number | null;
  detail: Record<string, unknown>;
}

export const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Installs or upgrades the registry tables. */
export async function migrateRegistry(pool: pg.Pool): Promise<string[]> {
  return migrate(pool, { set: 'registry', dir: migrationsDir, schema: 'registry' });
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function toTokenSummary(row: Record<string, unknown>): TokenSummary {
  return {
    id: Number(row.id), scope: row.scope as TokenScope, team: (row.team as string | null) ?? null, label: row.label as string,
    createdAt: iso(row.created_at as Date), revoked: row.revoked_at != null, revokedAt: row.revoked_at == null ? null : iso(row.revoked_at as Date),
  };
}

const iso = (value: Date | string): string => (value instanceof Date ? value.toISOString() : new Date(value).toISOString());

export class RegistryStore {
  constructor(private readonly pool: pg.Pool) {}

  // --- teams and tokens ---------------------------------------------------

  /** Creates the team and token if missing (bootstrap is idempotent: restarts re-apply it). */
  async grantToken(grant: TokenGrant): Promise<void> {
    if (grant.scope === 'publish' && !grant.team) {
      throw new RegistryError('BAD_REQUEST', 'a publish token needs a team');
    }
    if (grant.team) {
      await this.pool.query('INSERT INTO registry.team (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [grant.team]);
    }
    await this.pool.query(
      `INSERT INTO registry.token (token_hash, scope, team, label) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token_hash) DO UPDATE SET scope = EXCLUDED.scope, team = EXCLUDED.team, label = EXCLUDED.label, revoked_at = NULL`,
      [sha256(grant.token), grant.scope, grant.team ?? null, grant.label ?? (grant.team ? `${grant.team} ${grant.scope}` : grant.scope)],
    );
  }

  async revokeToken(token: string): Promise<void> {
    await this.pool.query('UPDATE registry.token SET revoked_at = now() WHERE token_hash = $1', [sha256(token)]);
  }

  /**
   * Revokes every live token whose label ends with `labelSuffix` except
   * `keep`: how `concord start` retires the tokens it generated on earlier
   * runs (a persistent data dir) so only this run's stay valid.
   */
  async revokeTokensLabelled(labelSuffix: string, keep: string[]): Promise<number> {
    const result = await this.pool.query(
      `UPDATE registry.token SET revoked_at = now()
        WHERE revoked_at IS NULL AND right(label, length($1)) = $1 AND NOT (token_hash = ANY($2::text[]))`,
      [labelSuffix, keep.map(sha256)],
    );
    return result.rowCount ?? 0;
  }

  /**
   * Stores a token issued at runtime by an admin (its team created if new)
   * and its `token_issued` audit entry, in one transaction: a token never
   * exists without the log saying who issued it.
   */
  async issueToken(grant: TokenGrant & { label: string }, actor: string): Promise<TokenSummary> {
    return this.transaction(async (client) => {
      if (grant.team) {
        await client.query('INSERT INTO registry.team (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [grant.team]);
      }
      const { rows } = await client.query(
        `INSERT INTO registry.token (token_hash, scope, team, label) VALUES ($1, $2, $3, $4)
         RETURNING id, scope, team, label, created_at, revoked_at`,
        [sha256(grant.token), grant.scope, grant.team ?? null, grant.label],
      );
      const summary = toTokenSummary(rows[0]);
      await client.query(
        `INSERT INTO registry.audit_log (actor, action, detail) VALUES ($1, 'token_issued', $2)`,
        [actor, JSON.stringify({ tokenId: summary.id, scope: summary.scope, team: summary.team, label: summary.label })],
      );
      return summary;
    });
  }

  /**
   * Revokes a token by id and logs `token_revoked`, in one transaction.
   * Revoking an already revoked token changes nothing and logs nothing;
   * undefined when there is no such token.
   */
  async revokeTokenById(id: number, actor: string): Promise<{ token: TokenSummary; alreadyRevoked: boolean } | undefined> {
    return this.transaction(async (client) => {
      const { rows } = await client.query(
        `UPDATE registry.token SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL
         RETURNING id, scope, team, label, created_at, revoked_at`,
        [id],
      );
      if (!rows[0]) {
        const existing = await client.query('SELECT id, scope, team, label, created_at, revoked_at FROM registry.token WHERE id = $1', [id]);
        return existing.rows[0] ? { token: toTokenSummary(existing.rows[0]), alreadyRevoked: true } : undefined;
      }
      const token = toTokenSummary(rows[0]);
      await client.query(
        `INSERT INTO registry.audit_log (actor, action, detail) VALUES ($1, 'token_revoked', $2)`,
        [actor, JSON.stringify({ tokenId: token.id, scope: token.scope, team: token.team, label: token.label })],
      );
      return { token, alreadyRevoked: false };
    });
  }

  /** Every token, live and revoked, oldest first. */
  async listTokens(): Promise<TokenSummary[]> {
    const { rows } = await this.pool.query('SELECT id, scope, team, label, created_at, revoked_at FROM registry.token ORDER BY id');
    return rows.map(toTokenSummary);
  }

  async findPrincipal(token: string): Promise<Principal | undefined> {
    const { rows } = await this.pool.query(
      'SELECT id, scope, team, label FROM registry.token WHERE token_hash = $1 AND revoked_at IS NULL',
      [sha256(token)],
    );
    const row = rows[0];
    return row ? { tokenId: Number(row.id), scope: row.scope, team: row.team ?? undefined, label: row.label } : undefined;
  }

  // --- subgraphs ----------------------------------------------------------

  async getSubgraph(name: string): Promise<{ name: string; ownerTeam: string; routingUrl: string } | undefined> {
    const { rows } = await this.pool.query('SELECT name, owner_team, routing_url FROM registry.subgraph WHERE name = $1', [name]);
    return rows[0] ? { name: rows[0].name, ownerTeam: rows[0].owner_team, routingUrl: rows[0].routing_url } : undefined;
  }

  async listSubgraphs(): Promise<SubgraphSummary[]> {
    const { rows } = await this.pool.query(
      `SELECT s.name, s.owner_team, s.routing_url, v.id AS version_id, v.sdl_hash, v.published_by, v.commit_sha, v.created_at
         FROM registry.subgraph s
         LEFT JOIN (registry.supergraph_member m
                    JOIN registry.supergraph_version sv ON sv.id = m.supergraph_version_id AND sv.is_current
                    JOIN registry.subgraph_version v ON v.id = m.subgraph_version_id)
           ON v.subgraph = s.name
        ORDER BY s.name`,
    );
    return rows.map((r) => ({
      name: r.name,
      ownerTeam: r.owner_team,
      routingUrl: r.routing_url,
      currentVersion: r.version_id == null ? undefined : {
        id: Number(r.version_id), sdlHash: r.sdl_hash, publishedBy: r.published_by, commit: r.commit_sha ?? undefined, createdAt: iso(r.created_at),
      },
    }));
  }

  async subgraphHistory(name: string, limit = 50): Promise<SubgraphVersion[]> {
    const { rows } = await this.pool.query(
      `SELECT id, subgraph, sdl, sdl_hash, routing_url, published_by, commit_sha, created_at
         FROM registry.subgraph_version WHERE subgraph = $1 ORDER BY id DESC LIMIT $2`,
      [name, limit],
    );
    return rows.map(toSubgraphVersion);
  }

  // --- supergraphs --------------------------------------------------------

  /** The cheap probe behind `GET /supergraph`'s ETag: one indexed row, no SDL. */
  async currentSupergraphHead(): Promise<{ id: number; sdlHash: string } | undefined> {
    const { rows } = await this.pool.query('SELECT id, sdl_hash FROM registry.supergraph_version WHERE is_current');
    return rows[0] ? { id: Number(rows[0].id), sdlHash: rows[0].sdl_hash } : undefined;
  }

  async currentSupergraph(): Promise<{ id: number; sdl: string; sdlHash: string } | undefined> {
    const { rows } = await this.pool.query('SELECT id, supergraph_sdl, sdl_hash FROM registry.supergraph_version WHERE is_current');
    return rows[0] ? { id: Number(rows[0].id), sdl: rows[0].supergraph_sdl, sdlHash: rows[0].sdl_hash } : undefined;
  }

  async supergraphSdl(id: number): Promise<string | undefined> {
    const { rows } = await this.pool.query('SELECT supergraph_sdl FROM registry.supergraph_version WHERE id = $1', [id]);
    return rows[0]?.supergraph_sdl;
  }

  /** The subgraph versions a supergraph version was composed from (the current one when no id). */
  async supergraphMembers(supergraphVersionId?: number): Promise<SubgraphVersion[]> {
    const { rows } = await this.pool.query(
      `SELECT v.id, v.subgraph, v.sdl, v.sdl_hash, v.routing_url, v.published_by, v.commit_sha, v.created_at
         FROM registry.supergraph_member m
         JOIN registry.supergraph_version sv ON sv.id = m.supergraph_version_id
         JOIN registry.subgraph_version v ON v.id = m.subgraph_version_id
        WHERE ($1::bigint IS NULL AND sv.is_current) OR sv.id = $1::bigint
        ORDER BY v.subgraph`,
      [supergraphVersionId ?? null],
    );
    return rows.map(toSubgraphVersion);
  }

  async supergraphHistory(limit = 50): Promise<SupergraphVersion[]> {
    const { rows } = await this.pool.query(
      `SELECT sv.id, sv.sdl_hash, sv.is_current, sv.action, sv.created_by, sv.rolled_back_to, sv.created_at,
              coalesce(jsonb_object_agg(v.subgraph, v.id) FILTER (WHERE v.id IS NOT NULL), '{}'::jsonb) AS members
         FROM registry.supergraph_version sv
         LEFT JOIN registry.supergraph_member m ON m.supergraph_version_id = sv.id
         LEFT JOIN registry.subgraph_version v ON v.id = m.subgraph_version_id
        GROUP BY sv.id ORDER BY sv.id DESC LIMIT $1`,
      [limit],
    );
    return rows.map((r) => ({
      id: Number(r.id), sdlHash: r.sdl_hash, isCurrent: r.is_current, action: r.action, createdBy: r.created_by,
      rolledBackTo: r.rolled_back_to == null ? undefined : Number(r.rolled_back_to), createdAt: iso(r.created_at),
      members: Object.fromEntries(Object.entries(r.members as Record<string, number>).map(([k, v]) => [k, Number(v)])),
    }));
  }

  /**
   * Stores a subgraph version and the supergraph composed with it, and makes
   * that supergraph current, in one transaction. `baseSupergraphId` is the
   * current version the checks ran against: if another publish got in first
   * the switch is refused with CONFLICT (the caller re-checks), so a check
   * never approves a supergraph it did not see.
   */
  async commitPublish(input: {
    subgraph: string; ownerTeam: string; routingUrl: string; sdl: string; publishedBy: string; commit?: string;
    supergraphSdl: string; baseSupergraphId?: number; otherMemberIds: number[]; reuseSubgraphVersionId?: number;
  }): Promise<{ subgraphVersionId: number; supergraphVersionId: number }> {
    return this.transaction(async (client) => {
      await this.lockAndExpect(client, input.baseSupergraphId);
      await client.query(
        `INSERT INTO registry.subgraph (name, routing_url, owner_team) VALUES ($1, $2, $3)
         ON CONFLICT (name) DO UPDATE SET routing_url = EXCLUDED.routing_url, updated_at = now()`,
        [input.subgraph, input.routingUrl, input.ownerTeam],
      );
      let subgraphVersionId = input.reuseSubgraphVersionId;
      if (subgraphVersionId === undefined) {
        const inserted = await client.query(
          `INSERT INTO registry.subgraph_version (subgraph, sdl, sdl_hash, routing_url, published_by, commit_sha)
           VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
          [input.subgraph, input.sdl, sha256(input.sdl), input.routingUrl, input.publishedBy, input.commit ?? null],
        );
        subgraphVersionId = Number(inserted.rows[0].id);
      }
      const supergraphVersionId = await this.insertCurrentSupergraph(client, {
        sdl: input.supergraphSdl, action: 'publish', createdBy: input.publishedBy,
        memberIds: [...input.otherMemberIds, subgraphVersionId],
      });
      await client.query(
        `INSERT INTO registry.audit_log (actor, action, subgraph, supergraph_version_id, detail) VALUES ($1, 'publish', $2, $3, $4)`,
        [input.publishedBy, input.subgraph, supergraphVersionId,
          JSON.stringify({ subgraphVersionId, commit: input.commit ?? null, routingUrl: input.routingUrl, sdlHash: sha256(input.sdl) })],
      );
      return { subgraphVersionId, supergraphVersionId };
    });
  }

  /** Makes a copy of an earlier supergraph version current, in one transaction. */
  async commitRollback(input: { toVersionId: number; actor: string; baseSupergraphId?: number }): Promise<{ supergraphVersionId: number }> {
    return this.transaction(async (client) => {
      await this.lockAndExpect(client, input.baseSupergraphId);
      const target = await client.query('SELECT supergraph_sdl FROM registry.supergraph_version WHERE id = $1', [input.toVersionId]);
      if (!target.rowCount) throw new RegistryError('NOT_FOUND', `no supergraph version ${input.toVersionId}`);
      const members = await client.query('SELECT subgraph_version_id FROM registry.supergraph_member WHERE supergraph_version_id = $1', [input.toVersionId]);
      const memberIds = members.rows.map((r) => Number(r.subgraph_version_id));
      const supergraphVersionId = await this.insertCurrentSupergraph(client, {
        sdl: target.rows[0].supergraph_sdl, action: 'rollback', createdBy: input.actor, memberIds, rolledBackTo: input.toVersionId,
      });
      // Keep each subgraph's routing URL in step with the version now served.
      await client.query(
        `UPDATE registry.subgraph s SET routing_url = v.routing_url, updated_at = now()
           FROM registry.subgraph_version v WHERE v.id = ANY($1::bigint[]) AND v.subgraph = s.name`,
        [memberIds],
      );
      await client.query(
        `INSERT INTO registry.audit_log (actor, action, supergraph_version_id, detail) VALUES ($1, 'rollback', $2, $3)`,
        [input.actor, supergraphVersionId, JSON.stringify({ rolledBackTo: input.toVersionId, from: input.baseSupergraphId ?? null })],
      );
      return { supergraphVersionId };
    });
  }

  async auditRefusedPublish(actor: string, subgraph: string, detail: Record<string, unknown>): Promise<void> {
    await this.pool.query(
      `INSERT INTO registry.audit_log (actor, action, subgraph, detail) VALUES ($1, 'publish_refused', $2, $3)`,
      [actor, subgraph, JSON.stringify(detail)],
    );
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

  // --- operation usage ----------------------------------------------------

  /**
   * Adds a batch of usage reports: operations (hash → name, coordinates) and
   * per-client, per-day counts. Rows are merged in memory first because one
   * INSERT … ON CONFLICT cannot touch the same row twice.
   */
  async recordUsage(reports: OperationReport[]): Promise<number> {
    if (!reports.length) return 0;
    const operations = new Map<string, { hash: string; name: string | null; fields: string[] }>();
    const usage = new Map<string, { operation_hash: string; client_name: string; client_version: string; count: number }>();
    for (const report of reports) {
      operations.set(report.hash, { hash: report.hash, name: report.name ?? null, fields: [...new Set(report.fields)].sort() });
      const clientName = report.clientName ?? '';
      const clientVersion = report.clientVersion ?? '';
      const key = JSON.stringify([report.hash, clientName, clientVersion]);
      const entry = usage.get(key) ?? { operation_hash: report.hash, client_name: clientName, client_version: clientVersion, count: 0 };
      entry.count += report.count;
      usage.set(key, entry);
    }
    await this.pool.query(
      `INSERT INTO registry.operation (hash, name, fields)
       SELECT x.hash, x.name, x.fields FROM jsonb_to_recordset($1::jsonb) AS x(hash text, name text, fields text[])
       ON CONFLICT (hash) DO UPDATE SET name = coalesce(EXCLUDED.name, registry.operation.name), fields = EXCLUDED.fields, last_seen = now()`,
      [JSON.stringify([...operations.values()])],
    );
    await this.pool.query(
      `INSERT INTO registry.operation_usage (operation_hash, client_name, client_version, day, count, last_seen)
       SELECT x.operation_hash, x.client_name, x.client_version, current_date, x.count, now()
         FROM jsonb_to_recordset($1::jsonb) AS x(operation_hash text, client_name text, client_version text, count bigint)
       ON CONFLICT (operation_hash, client_name, client_version, day)
       DO UPDATE SET count = registry.operation_usage.count + EXCLUDED.count, last_seen = now()`,
      [JSON.stringify([...usage.values()])],
    );
    return reports.length;
  }

  /** Operations (per client) that used any of the coordinates within the last `windowDays` days. */
  async operationsUsing(coordinates: string[], windowDays: number): Promise<OperationUse[]> {
    if (!coordinates.length) return [];
    const { rows } = await this.pool.query(
      `SELECT o.hash, o.name, o.fields, u.client_name, u.client_version, sum(u.count)::bigint AS count, max(u.last_seen) AS last_seen
         FROM registry.operation o
         JOIN registry.operation_usage u ON u.operation_hash = o.hash
        WHERE o.fields && $1::text[] AND u.last_seen >= now() - make_interval(days => $2::int)
        GROUP BY o.hash, o.name, o.fields, u.client_name, u.client_version
        ORDER BY count DESC, o.hash LIMIT 1000`,
      [coordinates, windowDays],
    );
    return rows.map((r) => ({
      hash: r.hash, name: r.name, clientName: r.client_name, clientVersion: r.client_version,
      fields: r.fields, count: Number(r.count), lastSeen: iso(r.last_seen),
    }));
  }

  /** Deletes usage older than the retention window, then operations no longer used at all. */
  async pruneUsage(retentionDays: number): Promise<void> {
    await this.pool.query('DELETE FROM registry.operation_usage WHERE last_seen < now() - make_interval(days => $1::int)', [retentionDays]);
    await this.pool.query(
      `DELETE FROM registry.operation o WHERE NOT EXISTS (SELECT 1 FROM registry.operation_usage u WHERE u.operation_hash = o.hash)`,
    );
  }

  // --- helpers ------------------------------------------------------------

  private async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
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

  /**
   * Serialises publishers and rollbacks (SHARE ROW EXCLUSIVE conflicts with
   * itself but not with readers, so gateways keep fetching meanwhile), then
   * checks the current version is still the one the caller based its work on.
   */
  private async lockAndExpect(client: pg.PoolClient, baseSupergraphId: number | undefined): Promise<void> {
    await client.query('LOCK TABLE registry.supergraph_version IN SHARE ROW EXCLUSIVE MODE');
    const { rows } = await client.query('SELECT id FROM registry.supergraph_version WHERE is_current');
    const current = rows[0] ? Number(rows[0].id) : undefined;
    if (current !== baseSupergraphId) {
      throw new RegistryError('CONFLICT', `the current supergraph changed (expected ${baseSupergraphId ?? 'none'}, found ${current ?? 'none'})`);
    }
  }

  private async insertCurrentSupergraph(
    client: pg.PoolClient,
    input: { sdl: string; action: 'publish' | 'rollback'; createdBy: string; memberIds: number[]; rolledBackTo?: number },
  ): Promise<number> {
    await client.query('UPDATE registry.supergraph_version SET is_current = false WHERE is_current');
    const inserted = await client.query(
      `INSERT INTO registry.supergraph_version (supergraph_sdl, sdl_hash, is_current, action, created_by, rolled_back_to)
       VALUES ($1, $2, true, $3, $4, $5) RETURNING id`,
      [input.sdl, sha256(input.sdl), input.action, input.createdBy, input.rolledBackTo ?? null],
    );
    const id = Number(inserted.rows[0].id);
    await client.query(
      `INSERT INTO registry.supergraph_member (supergraph_version_id, subgraph_version_id) SELECT $1, unnest($2::bigint[])`,
      [id, input.memberIds],
    );
    return id;
  }
}

function toSubgraphVersion(r: Record<string, any>): SubgraphVersion {
  return {
    id: Number(r.id), subgraph: r.subgraph, sdl: r.sdl, sdlHash: r.sdl_hash, routingUrl: r.routing_url,
    publishedBy: r.published_by, commit: r.commit_sha ?? undefined, createdAt: iso(r.created_at),
  };
}
