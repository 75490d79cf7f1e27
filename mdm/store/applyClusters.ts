import { createHash } from 'node:crypto';
import type pg from 'pg';
import type { Cluster } from '../cluster/index.js';
import type { EntityConfig } from '../entities/types.js';
import { surviveGoldenValues } from '../survive/index.js';
import type { StandardisedRecord } from '../types.js';
import { sourceKey } from '../types.js';
import { appendHistory } from './history.js';
import { chunks, stableStringify } from './json.js';

export interface ApplySummary {
  clusters: number;
  created: number;
  updated: number;
  unchanged: number;
  deactivated: number;
  joins: number;
  splits: number;
  xrefChanged: number;
}

export interface ApplyOptions {
  actor: string;
  action: 'load' | 'match';
  reason?: string;
  /** Extra facts for the summary history event (candidate pairs, timings). */
  details?: Record<string, unknown>;
  /** Called after each chunk of rows written (done, total), for progress bars. */
  onWrite?: (done: number, total: number) => void;
}

/**
 * Writes a batch's clusters as golden records and xref rows, keeping master
 * ids stable: a cluster keeps the id of the previous master that holds most
 * of its members (ties: the smaller id); ids are never reused by another
 * cluster. A cluster drawing members from several masters is a join, a
 * master whose members now sit in several clusters a split; both are history
 * events with the memberships before and after. Masters left with no members
 * are deactivated, never deleted (history and the graph's old ids still
 * resolve). Only changed rows are written.
 *
 * Runs on the caller's client inside the caller's transaction: a batch is
 * applied whole or not at all.
 */
export async function applyClusters(
  client: pg.PoolClient,
  config: EntityConfig,
  records: StandardisedRecord[],
  clusters: Cluster[],
  options: ApplyOptions,
): Promise<ApplySummary> {
  const entityType = config.entityType;
  const byKey = new Map(records.map((r) => [r.key, r]));
  const xrefRows = (await client.query(
    'SELECT system, source_id, master_id, score, rule FROM mdm.xref WHERE entity_type = $1', [entityType],
  )).rows;
  const goldenRows = (await client.query(
    'SELECT master_id, attributes, provenance, active FROM mdm.golden_record WHERE entity_type = $1', [entityType],
  )).rows;
  const previousMaster = new Map<string, string>();
  const previousLink = new Map<string, { score: number | null; rule: string }>();
  const previousMembers = new Map<string, string[]>();
  for (const row of xrefRows) {
    const key = sourceKey(row.system, row.source_id);
    previousMaster.set(key, row.master_id);
    previousLink.set(key, { score: row.score, rule: row.rule });
    (previousMembers.get(row.master_id) ?? previousMembers.set(row.master_id, []).get(row.master_id)!).push(key);
  }
  const golden = new Map(goldenRows.map((row) => [row.master_id as string, row]));
  const allIds = new Set<string>(golden.keys());
  const globalIds = (await client.query('SELECT master_id FROM mdm.golden_record WHERE master_id LIKE $1', [`${config.idPrefix}%`])).rows;
  for (const row of globalIds) allIds.add(row.master_id);

  // Assign ids: biggest clusters first, so a split's larger part keeps the id.
  const ordered = [...clusters].sort((a, b) => b.members.length - a.members.length || (a.members[0] < b.members[0] ? -1 : 1));
  const claimed = new Set<string>();
  const assignment: { cluster: Cluster; masterId: string; isNew: boolean }[] = [];
  for (const cluster of ordered) {
    let masterId = heldMostBy(cluster, previousMaster, claimed);
    const isNew = masterId === undefined;
    if (masterId === undefined) masterId = newMasterId(config, cluster.members[0], allIds);
    claimed.add(masterId);
    allIds.add(masterId);
    assignment.push({ cluster, masterId, isNew });
  }

  const summary: ApplySummary = { clusters: clusters.length, created: 0, updated: 0, unchanged: 0, deactivated: 0, joins: 0, splits: 0, xrefChanged: 0 };
  const goldenUpserts: { id: string; attributes: string; provenance: string }[] = [];
  const xrefUpserts: { system: string; sourceId: string; masterId: string; score: number | null; rule: string }[] = [];
  const newMasterOf = new Map<string, string>();
  for (const { cluster, masterId, isNew } of assignment) {
    const members = cluster.members.map((k) => byKey.get(k)).filter((r): r is StandardisedRecord => r !== undefined);
    const values = surviveGoldenValues(members, config.survivorship);
    const attributes = stableStringify(values.attributes);
    const provenance = stableStringify(values.provenance);
    const existing = golden.get(masterId);
    if (isNew || !existing) summary.created++;
    if (!existing || !existing.active || stableStringify(existing.attributes) !== attributes || stableStringify(existing.provenance) !== provenance) {
      goldenUpserts.push({ id: masterId, attributes, provenance });
      if (existing) summary.updated++;
    } else {
      summary.unchanged++;
    }
    for (const r of members) {
      newMasterOf.set(r.key, masterId);
      const link = cluster.links[r.key] ?? { score: 1, rule: 'singleton' };
      const prev = previousLink.get(r.key);
      if (previousMaster.get(r.key) !== masterId || !prev || prev.rule !== link.rule || prev.score !== link.score) {
        xrefUpserts.push({ system: r.system, sourceId: r.sourceId, masterId, score: link.score, rule: link.rule });
      }
    }
  }
  summary.xrefChanged = xrefUpserts.length;

  const totalRows = goldenUpserts.length + xrefUpserts.length;
  let written = 0;
  for (const chunk of chunks(goldenUpserts, 2000)) {
    await client.query(
      `INSERT INTO mdm.golden_record (master_id, entity_type, attributes, provenance, active)
       SELECT t.id, $1, t.attributes::jsonb, t.provenance::jsonb, true
         FROM unnest($2::text[], $3::text[], $4::text[]) AS t(id, attributes, provenance)
       ON CONFLICT (master_id) DO UPDATE
          SET attributes = excluded.attributes, provenance = excluded.provenance, active = true,
              version = mdm.golden_record.version + 1, updated_at = now()`,
      [entityType, chunk.map((g) => g.id), chunk.map((g) => g.attributes), chunk.map((g) => g.provenance)],
    );
    options.onWrite?.((written += chunk.length), totalRows);
  }
  for (const chunk of chunks(xrefUpserts, 2000)) {
    await client.query(
      `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule)
       SELECT $1, t.system, t.source_id, t.master_id, t.score, t.rule
         FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS t(system, source_id, master_id, score, rule)
       ON CONFLICT (entity_type, system, source_id) DO UPDATE
          SET master_id = excluded.master_id, score = excluded.score, rule = excluded.rule, linked_at = now()`,
      [entityType, chunk.map((x) => x.system), chunk.map((x) => x.sourceId), chunk.map((x) => x.masterId), chunk.map((x) => x.score), chunk.map((x) => x.rule)],
    );
    options.onWrite?.((written += chunk.length), totalRows);
  }
  const orphaned = [...golden.values()].filter((g) => g.active && !claimed.has(g.master_id) && previousMembers.has(g.master_id)).map((g) => g.master_id as string);
  for (const chunk of chunks(orphaned, 5000)) {
    await client.query(
      'UPDATE mdm.golden_record SET active = false, version = version + 1, updated_at = now() WHERE master_id = ANY($1::text[])', [chunk],
    );
  }
  summary.deactivated = orphaned.length;

  // Joins: one cluster drawing from several previous masters.
  for (const { cluster, masterId } of assignment) {
    const sources = new Set(cluster.members.map((k) => previousMaster.get(k)).filter((id): id is string => id !== undefined));
    if (sources.size < 2) continue;
    summary.joins++;
    await appendHistory(client, {
      actor: options.actor, action: 'join', reason: options.reason ?? `${options.action} run`,
      masterIds: [masterId, ...[...sources].filter((id) => id !== masterId).sort()],
      before: { masters: Object.fromEntries([...sources].sort().map((id) => [id, previousMembers.get(id) ?? []])) },
      after: { masters: { [masterId]: cluster.members } },
    });
  }
  // Splits: one previous master's members now in several clusters.
  for (const [masterId, keys] of previousMembers) {
    const now = new Map<string, string[]>();
    for (const k of keys) {
      const next = newMasterOf.get(k);
      if (next) (now.get(next) ?? now.set(next, []).get(next)!).push(k);
    }
    if (now.size < 2) continue;
    summary.splits++;
    await appendHistory(client, {
      actor: options.actor, action: 'split', reason: options.reason ?? `${options.action} run`,
      masterIds: [masterId, ...[...now.keys()].filter((id) => id !== masterId).sort()],
      before: { masters: { [masterId]: keys } },
      after: { masters: Object.fromEntries([...now.entries()].sort()) },
    });
  }
  await appendHistory(client, {
    actor: options.actor, action: options.action, reason: options.reason ?? null, masterIds: [],
    after: { entityType, records: records.length, ...summary, ...options.details },
  });
  return summary;
}

/**
 * A new master id: the prefix and a short hash of the cluster's first source
 * key. Computed once when the cluster is first seen and stored; later runs
 * reuse the stored id rather than recomputing it.
 */
/**
 * The previous master holding most of a cluster's members that no other
 * cluster has claimed (ties to the smaller id): the id the cluster keeps.
 */
export function heldMostBy(cluster: Cluster, previousMaster: Map<string, string>, claimed: Set<string>): string | undefined {
  const tally = new Map<string, number>();
  for (const m of cluster.members) {
    const prev = previousMaster.get(m);
    if (prev) tally.set(prev, (tally.get(prev) ?? 0) + 1);
  }
  return [...tally.entries()].filter(([id]) => !claimed.has(id)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}

export function newMasterId(config: EntityConfig, firstKey: string, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const hash = createHash('sha256').update(`${config.entityType}|${firstKey}|${attempt}`).digest('hex').slice(0, 12);
    const id = `${config.idPrefix}${hash}`;
    if (!taken.has(id)) return id;
  }
}
