import type pg from 'pg';
import { iso } from './sql.js';
import type { SubgraphSummary, SubgraphVersion, SupergraphVersion } from './types.js';

export function toSubgraphVersion(r: Record<string, any>): SubgraphVersion {
  return {
    id: Number(r.id), subgraph: r.subgraph, sdl: r.sdl, sdlHash: r.sdl_hash, routingUrl: r.routing_url,
    publishedBy: r.published_by, commit: r.commit_sha ?? undefined, createdAt: iso(r.created_at),
  };
}

/** Reads of the subgraphs and of the supergraph versions composed from them. Writes go through PublishStore. */
export class VersionStore {
  constructor(private readonly pool: pg.Pool) {}

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
}
