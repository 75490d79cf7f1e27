import type pg from 'pg';
import { RegistryError } from '../errors.js';
import { appendAudit } from './auditStore.js';
import { iso, sha256, transaction } from './sql.js';
import type { Principal, TokenGrant, TokenScope, TokenSummary } from './types.js';

function toTokenSummary(row: Record<string, unknown>): TokenSummary {
  return {
    id: Number(row.id), scope: row.scope as TokenScope, team: (row.team as string | null) ?? null, label: row.label as string,
    createdAt: iso(row.created_at as Date), revoked: row.revoked_at != null, revokedAt: row.revoked_at == null ? null : iso(row.revoked_at as Date),
  };
}

/** Teams and their tokens: only each token's SHA-256 digest is stored. */
export class TokenStore {
  constructor(private readonly pool: pg.Pool) {}

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
    return transaction(this.pool, async (client) => {
      if (grant.team) {
        await client.query('INSERT INTO registry.team (name) VALUES ($1) ON CONFLICT (name) DO NOTHING', [grant.team]);
      }
      const { rows } = await client.query(
        `INSERT INTO registry.token (token_hash, scope, team, label) VALUES ($1, $2, $3, $4)
         RETURNING id, scope, team, label, created_at, revoked_at`,
        [sha256(grant.token), grant.scope, grant.team ?? null, grant.label],
      );
      const summary = toTokenSummary(rows[0]);
      await appendAudit(client, {
        actor, action: 'token_issued', detail: { tokenId: summary.id, scope: summary.scope, team: summary.team, label: summary.label },
      });
      return summary;
    });
  }

  /**
   * Revokes a token by id and logs `token_revoked`, in one transaction.
   * Revoking an already revoked token changes nothing and logs nothing;
   * undefined when there is no such token.
   */
  async revokeTokenById(id: number, actor: string): Promise<{ token: TokenSummary; alreadyRevoked: boolean } | undefined> {
    return transaction(this.pool, async (client) => {
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
      await appendAudit(client, {
        actor, action: 'token_revoked', detail: { tokenId: token.id, scope: token.scope, team: token.team, label: token.label },
      });
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
}
