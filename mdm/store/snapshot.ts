import type pg from 'pg';
import { stableStringify } from './json.js';

/**
 * The exact stored state a steward operation touches: golden records and
 * their xref rows, the steward rulings on some pairs, some review
 * candidates. History keeps it before and after each change, which is what
 * undo writes back.
 */
export interface StateScope {
  masterIds: string[];
  /** Pairs as [entity_type, left_system, left_id, right_system, right_id]. */
  decisionPairs: [string, string, string, string, string][];
  candidateIds: string[];
}

export interface StateSnapshot {
  scope: StateScope;
  golden: Record<string, unknown>[];
  xref: Record<string, unknown>[];
  decisions: Record<string, unknown>[];
  candidates: Record<string, unknown>[];
}

const iso = (rows: Record<string, unknown>[]) =>
  rows.map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v])));

export async function takeSnapshot(client: pg.PoolClient, scope: StateScope): Promise<StateSnapshot> {
  const golden = (await client.query(
    `SELECT master_id, entity_type, attributes, provenance, active, version, created_at, updated_at
       FROM mdm.golden_record WHERE master_id = ANY($1::text[]) ORDER BY master_id`, [scope.masterIds])).rows;
  const xref = (await client.query(
    `SELECT entity_type, system, source_id, master_id, score, rule, linked_at
       FROM mdm.xref WHERE master_id = ANY($1::text[]) ORDER BY entity_type, system, source_id`, [scope.masterIds])).rows;
  const decisions = scope.decisionPairs.length === 0 ? [] : (await client.query(
    `SELECT d.entity_type, d.left_system, d.left_id, d.right_system, d.right_id, d.decision, d.decided_by, d.decided_at
       FROM mdm.steward_decision d
       JOIN unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(e, ls, li, rs, ri)
         ON d.entity_type = t.e AND d.left_system = t.ls AND d.left_id = t.li AND d.right_system = t.rs AND d.right_id = t.ri
      ORDER BY 1, 2, 3, 4, 5`, columns(scope.decisionPairs))).rows;
  const candidates = scope.candidateIds.length === 0 ? [] : (await client.query(
    `SELECT id::text AS id, entity_type, left_system, left_id, right_system, right_id, score, explanation, status, created_at, decided_at, decided_by
       FROM mdm.match_candidate WHERE id = ANY($1::bigint[]) ORDER BY id`, [scope.candidateIds])).rows;
  return { scope, golden: iso(golden), xref: iso(xref), decisions: iso(decisions), candidates: iso(candidates) };
}

/** Whether two snapshots hold the same rows. */
export function sameState(a: StateSnapshot, b: StateSnapshot): boolean {
  const body = (s: StateSnapshot) => stableStringify([s.golden, s.xref, s.decisions, s.candidates]);
  return body(a) === body(b);
}

/**
 * Writes a snapshot back over its scope (and the scope of `current`): rows
 * present in the snapshot are restored exactly, rows absent from it deleted.
 */
export async function restoreSnapshot(client: pg.PoolClient, target: StateSnapshot, current: StateSnapshot): Promise<void> {
  const masterIds = [...new Set([...target.scope.masterIds, ...current.scope.masterIds])];
  const sourceKeys = [...new Set([...target.xref, ...current.xref].map((x) => `${x.entity_type}\u0000${x.system}\u0000${x.source_id}`))].map((k) => k.split('\u0000'));
  await client.query(
    `DELETE FROM mdm.xref x USING unnest($1::text[], $2::text[], $3::text[]) AS t(e, s, i)
      WHERE x.entity_type = t.e AND x.system = t.s AND x.source_id = t.i`,
    [sourceKeys.map((k) => k[0]), sourceKeys.map((k) => k[1]), sourceKeys.map((k) => k[2])],
  );
  for (const g of target.golden) {
    await client.query(
      `INSERT INTO mdm.golden_record (master_id, entity_type, attributes, provenance, active, version, created_at, updated_at)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6, $7, $8)
       ON CONFLICT (master_id) DO UPDATE SET entity_type = excluded.entity_type, attributes = excluded.attributes,
         provenance = excluded.provenance, active = excluded.active, version = excluded.version,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
      [g.master_id, g.entity_type, JSON.stringify(g.attributes), JSON.stringify(g.provenance), g.active, g.version, g.created_at, g.updated_at],
    );
  }
  const keep = new Set(target.golden.map((g) => g.master_id as string));
  const drop = masterIds.filter((id) => !keep.has(id));
  if (drop.length > 0) await client.query('DELETE FROM mdm.golden_record WHERE master_id = ANY($1::text[])', [drop]);
  for (const x of target.xref) {
    await client.query(
      `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule, linked_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [x.entity_type, x.system, x.source_id, x.master_id, x.score, x.rule, x.linked_at],
    );
  }
  const pairs = uniquePairs([...target.scope.decisionPairs, ...current.scope.decisionPairs]);
  if (pairs.length > 0) {
    await client.query(
      `DELETE FROM mdm.steward_decision d USING unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t(e, ls, li, rs, ri)
        WHERE d.entity_type = t.e AND d.left_system = t.ls AND d.left_id = t.li AND d.right_system = t.rs AND d.right_id = t.ri`,
      columns(pairs),
    );
  }
  for (const d of target.decisions) {
    await client.query(
      `INSERT INTO mdm.steward_decision (entity_type, left_system, left_id, right_system, right_id, decision, decided_by, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [d.entity_type, d.left_system, d.left_id, d.right_system, d.right_id, d.decision, d.decided_by, d.decided_at],
    );
  }
  for (const c of target.candidates) {
    await client.query(
      `UPDATE mdm.match_candidate SET score = $2, explanation = $3::jsonb, status = $4, decided_at = $5, decided_by = $6 WHERE id = $1::bigint`,
      [c.id, c.score, JSON.stringify(c.explanation), c.status, c.decided_at, c.decided_by],
    );
  }
}

function uniquePairs(pairs: StateScope['decisionPairs']): StateScope['decisionPairs'] {
  const seen = new Map(pairs.map((p) => [p.join('\u0000'), p]));
  return [...seen.values()];
}

function columns(pairs: StateScope['decisionPairs']): string[][] {
  return [0, 1, 2, 3, 4].map((i) => pairs.map((p) => p[i]));
}
