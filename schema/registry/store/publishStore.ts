import type pg from 'pg';
import { RegistryError } from '../errors.js';
import { appendAudit } from './auditStore.js';
import { sha256, transaction } from './sql.js';

/**
 * The two writes that change what gateways serve: a publish and a rollback.
 * Each is one short transaction that serialises with the other writers,
 * checks it still builds on the version its caller checked against, switches
 * the current supergraph and appends its audit entry.
 */
export class PublishStore {
  constructor(private readonly pool: pg.Pool) {}

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
    return transaction(this.pool, async (client) => {
      await lockAndExpect(client, input.baseSupergraphId);
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
      const supergraphVersionId = await insertCurrentSupergraph(client, {
        sdl: input.supergraphSdl, action: 'publish', createdBy: input.publishedBy,
        memberIds: [...input.otherMemberIds, subgraphVersionId],
      });
      await appendAudit(client, {
        actor: input.publishedBy, action: 'publish', subgraph: input.subgraph, supergraphVersionId,
        detail: { subgraphVersionId, commit: input.commit ?? null, routingUrl: input.routingUrl, sdlHash: sha256(input.sdl) },
      });
      return { subgraphVersionId, supergraphVersionId };
    });
  }

  /** Makes a copy of an earlier supergraph version current, in one transaction. */
  async commitRollback(input: { toVersionId: number; actor: string; baseSupergraphId?: number }): Promise<{ supergraphVersionId: number }> {
    return transaction(this.pool, async (client) => {
      await lockAndExpect(client, input.baseSupergraphId);
      const target = await client.query('SELECT supergraph_sdl FROM registry.supergraph_version WHERE id = $1', [input.toVersionId]);
      if (!target.rowCount) throw new RegistryError('NOT_FOUND', `no supergraph version ${input.toVersionId}`);
      const members = await client.query('SELECT subgraph_version_id FROM registry.supergraph_member WHERE supergraph_version_id = $1', [input.toVersionId]);
      const memberIds = members.rows.map((r) => Number(r.subgraph_version_id));
      const supergraphVersionId = await insertCurrentSupergraph(client, {
        sdl: target.rows[0].supergraph_sdl, action: 'rollback', createdBy: input.actor, memberIds, rolledBackTo: input.toVersionId,
      });
      // Keep each subgraph's routing URL in step with the version now served.
      await client.query(
        `UPDATE registry.subgraph s SET routing_url = v.routing_url, updated_at = now()
           FROM registry.subgraph_version v WHERE v.id = ANY($1::bigint[]) AND v.subgraph = s.name`,
        [memberIds],
      );
      await appendAudit(client, {
        actor: input.actor, action: 'rollback', supergraphVersionId,
        detail: { rolledBackTo: input.toVersionId, from: input.baseSupergraphId ?? null },
      });
      return { supergraphVersionId };
    });
  }
}

/**
 * Serialises publishers and rollbacks (SHARE ROW EXCLUSIVE conflicts with
 * itself but not with readers, so gateways keep fetching meanwhile), then
 * checks the current version is still the one the caller based its work on.
 */
async function lockAndExpect(client: pg.PoolClient, baseSupergraphId: number | undefined): Promise<void> {
  await client.query('LOCK TABLE registry.supergraph_version IN SHARE ROW EXCLUSIVE MODE');
  const { rows } = await client.query('SELECT id FROM registry.supergraph_version WHERE is_current');
  const current = rows[0] ? Number(rows[0].id) : undefined;
  if (current !== baseSupergraphId) {
    throw new RegistryError('CONFLICT', `the current supergraph changed (expected ${baseSupergraphId ?? 'none'}, found ${current ?? 'none'})`);
  }
}

async function insertCurrentSupergraph(
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
