import type pg from 'pg';
import { sourceKey } from '../types.js';

/** A steward's standing ruling on a pair, which every later match obeys. */
export interface StewardRulings {
  /** Pairs never to merge automatically. */
  cannotLink: [string, string][];
  /** Pairs that stay merged (forced merges, accepted candidates). */
  mustLink: [string, string][];
}

export async function readStewardRulings(db: pg.Pool | pg.PoolClient, entityType: string): Promise<StewardRulings> {
  const { rows } = await db.query(
    'SELECT left_system, left_id, right_system, right_id, decision FROM mdm.steward_decision WHERE entity_type = $1',
    [entityType],
  );
  const rulings: StewardRulings = { cannotLink: [], mustLink: [] };
  for (const row of rows) {
    const pair: [string, string] = [sourceKey(row.left_system, row.left_id), sourceKey(row.right_system, row.right_id)];
    (row.decision === 'never_merge' ? rulings.cannotLink : rulings.mustLink).push(pair);
  }
  return rulings;
}
