import type pg from 'pg';
import type { Cluster } from '../cluster/index.js';
import { countsWords } from '../compare/index.js';
import { entityConfig } from '../entities/index.js';
import type { EntityConfig } from '../entities/types.js';
import { clusterIncomingRecord, scoreCrossPairs, scoreIncomingRecord } from '../match/incremental.js';
import { scorePair, type FellegiSunterModel } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import type { MatchDecision, SourceRecord } from '../types.js';
import { newMasterId } from './applyClusters.js';
import { writeBlockKeys } from './blockKeys.js';
import { readBlockedCandidates, readMasterMembers, readMastersOf, readNeverMergeAmong, readRulingsOf } from './candidates.js';
import { appendHistory } from './history.js';
import { queueCandidates } from './runBatch.js';
import { takeSnapshot, type StateSnapshot } from './snapshot.js';
import { toSourceRecord, upsertSourceRecords } from './sourceRecords.js';
import { resurvive } from './stewardship.js';
import { adjustTermFrequencies, readTermFrequencies, type TermFrequencyTable } from './termFrequencies.js';

export interface MatchOneResult {
  masterId: string;
  /**
   * 'linked': the record now belongs to another existing master (a changed
   * record may move); 'created': a new master of its own (a changed record
   * that no longer matches its master moves out); 'unchanged': it stays where
   * it was.
   */
  outcome: 'created' | 'linked' | 'unchanged';
  /** The scored candidates, best first (merge and review outcomes only). */
  decisions: MatchDecision[];
  queued: number;
  /** The record's master before this call, when it was stored already. */
  previousMasterId?: string;
  /** Masters deactivated because the record joined them into its own. */
  joined?: string[];
}

/**
 * Incremental matching: one new or changed source record is decided as a
 * batch over every record would decide it, without running the batch.
 *
 * Standardise, store (with its blocking keys and its term-frequency counts:
 * old values out, new in), block against the stored records through
 * mdm.block_key (oversized blocks skipped as the batch skips them), score
 * with the last batch's model, term frequencies, thresholds and identifier
 * conflicts, then the batch's cluster step over the record and the masters
 * it could join: steward rulings (never-merge refuses, always-merge forces),
 * the guard against chaining, strongest link first; a link to a second
 * master joins them. Master ids are kept as the batch keeps them, except
 * that the records that did not change keep theirs: a changed record that
 * no longer matches its master leaves it for a new one. Review pairs whose
 * records end up apart are queued. One transaction, one history event
 * ('update', or 'join'/'split' when masters were joined or left), with the
 * snapshots undo needs.
 */
export async function matchOne(pool: pg.Pool, input: SourceRecord, options: { actor?: string } = {}): Promise<MatchOneResult> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`);
    const { snapshots: _snapshots, historyId: _historyId, ...result } = await matchOneIn(client, input, options);
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
 * What stays the same for every record matched in one transaction under the
 * steward lock (the model and whether term frequencies are counted change
 * only in a batch run, which takes the same lock): read once, by entity type.
 */
export interface MatchOneTransactionCache {
  models: Map<string, FellegiSunterModel | undefined>;
  counted: Map<string, boolean>;
}

export function newMatchOneTransactionCache(): MatchOneTransactionCache {
  return { models: new Map(), counted: new Map() };
}

/** What matchOneIn changed, for callers that derive golden-record change events from it. */
export interface MatchOneChange extends MatchOneResult {
  /** The stored state of every master in play before and after. */
  snapshots: { before: StateSnapshot; after: StateSnapshot };
  historyId: string;
}

/**
 * matchOne inside a transaction the caller opened and holds the steward lock
 * in (`pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`), so a caller
 * can write more in the same transaction (the change-capture consumer records
 * the source event it applied, for exactly-once effect).
 */
export async function matchOneIn(client: pg.PoolClient, input: SourceRecord, options: { actor?: string; cache?: MatchOneTransactionCache } = {}): Promise<MatchOneChange> {
  const config = entityConfig(input.entityType);
  const record = standardiseRecord(input, config.attributes);
  const stored = (await client.query(
    `SELECT s.system, s.source_id, s.attributes, s.source_updated_at, x.master_id
       FROM mdm.source_record s
       LEFT JOIN mdm.xref x ON x.entity_type = s.entity_type AND x.system = s.system AND x.source_id = s.source_id
      WHERE s.entity_type = $1 AND s.system = $2 AND s.source_id = $3`,
    [config.entityType, record.system, record.sourceId],
  )).rows[0];
  // The previous copy, standardised with today's config (as the batch's counts were).
  const previous = stored ? standardiseRecord(toSourceRecord(config.entityType, stored), config.attributes) : null;
  const current = (stored?.master_id ?? undefined) as string | undefined;
  await upsertSourceRecords(client, [record]);
  await writeBlockKeys(client, config, [record]);
  const counted = await adjustTermFrequencies(client, config, previous, record, options.cache?.counted.get(config.entityType));
  options.cache?.counted.set(config.entityType, counted);

  const candidates = await readBlockedCandidates(client, config, record);
  const rulings = await readRulingsOf(client, config.entityType, record);
  let model = options.cache?.models.get(config.entityType);
  if (!options.cache?.models.has(config.entityType)) {
    model = (await client.query('SELECT model FROM mdm.model WHERE entity_type = $1', [config.entityType])).rows[0]?.model as FellegiSunterModel | undefined;
    options.cache?.models.set(config.entityType, model);
  }
  // Word-weighted comparisons weigh both sides' words: the candidates' word counts are read too.
  const wordWeighted = config.comparisons.some(countsWords);
  const tf: TermFrequencyTable = counted ? await readTermFrequencies(client, config, wordWeighted ? [record, ...candidates.map((c) => c.record)] : [record]) : new Map();
  const scores = scoreIncomingRecord(record, candidates.map((c) => c.record), config, model, tf, rulings.cannotLink);

  // The masters in play: those the record links to, its own, its always-merge partners'.
  const masterOf = new Map(candidates.map((c) => [c.record.key, c.masterId]));
  const partners = rulings.mustLink.map(([a, b]) => (a === record.key ? b : a));
  const partnerMasters = await readMastersOf(client, config.entityType, partners.filter((k) => !masterOf.has(k)));
  for (const [k, m] of partnerMasters) masterOf.set(k, m);
  const inPlay = new Set<string>();
  if (current) inPlay.add(current);
  for (const d of scores.decisions) if (d.outcome === 'merge') inPlay.add(masterOf.get(d.right)!);
  for (const k of partners) if (masterOf.has(k)) inPlay.add(masterOf.get(k)!);
  const masters = await readMasterMembers(client, config, [...inPlay], record.key);
  for (const [id, members] of masters) if (members.length === 0) masters.delete(id); // the record was its master's only member
  const memberKeys = [...masters.values()].flat().map((r) => r.key);
  const cannotLink = [...rulings.cannotLink, ...(masters.size > 1 ? await readNeverMergeAmong(client, config.entityType, memberKeys) : [])];
  let crossScored: ReturnType<typeof scoreCrossPairs> = [];
  const all = [...masters.values()].flat();
  const candidateKeys = new Set(candidates.map((c) => c.record.key));
  // Members that were not the record's candidates may be scored against it by the cohesion check: their counts too.
  if (model && counted && (masters.size > 1 || all.some((r) => !candidateKeys.has(r.key)))) await readTermFrequencies(client, config, all, tf);
  if (model && masters.size > 1) crossScored = scoreCrossPairs(masters, config, model, tf);
  const clusters = clusterIncomingRecord(
    {
      record, scores, masters, crossScored, cannotLink, mustLink: rulings.mustLink, guarded: model !== undefined,
      pairWeight: model ? (a, b) => scorePair(a, b, model, config, tf).weight : undefined,
    },
    config,
  );

  const previousMaster = new Map<string, string>();
  for (const [id, members] of masters) for (const r of members) previousMaster.set(r.key, id);
  const assignment = await assignMasterIds(client, config, record.key, clusters, previousMaster, current);
  const own = assignment.find((a) => a.cluster.members.includes(record.key))!;
  const target = own.masterId;
  const outcome: MatchOneResult['outcome'] = target === current ? 'unchanged' : own.isNew ? 'created' : 'linked';
  const claimed = new Set(assignment.map((a) => a.masterId));
  const retired = [...new Set([...masters.keys(), ...(current ? [current] : [])])].filter((id) => !claimed.has(id));

  const scope = { masterIds: [...new Set([...claimed, ...retired])].sort(), decisionPairs: [], candidateIds: [] };
  const before = await takeSnapshot(client, scope);
  for (const a of assignment) {
    if (a.isNew) await client.query('INSERT INTO mdm.golden_record (master_id, entity_type) VALUES ($1, $2)', [a.masterId, config.entityType]);
  }
  const link = own.cluster.members.length > 1 ? own.cluster.links[record.key] ?? { score: 1, rule: 'incremental' } : { score: 1, rule: 'singleton' };
  await client.query(
    `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (entity_type, system, source_id) DO UPDATE SET master_id = excluded.master_id, score = excluded.score, rule = excluded.rule, linked_at = now()
     WHERE (mdm.xref.master_id, mdm.xref.score, mdm.xref.rule) IS DISTINCT FROM (excluded.master_id, excluded.score, excluded.rule)`,
    [config.entityType, record.system, record.sourceId, target, link.score, link.rule],
  );
  // Members of a master joined into another move with their links unchanged.
  const moved: { key: string; masterId: string }[] = [];
  for (const a of assignment) for (const k of a.cluster.members) if (k !== record.key && previousMaster.get(k) !== a.masterId) moved.push({ key: k, masterId: a.masterId });
  if (moved.length > 0) {
    await client.query(
      `UPDATE mdm.xref x SET master_id = t.m, linked_at = now() FROM unnest($2::text[], $3::text[], $4::text[]) AS t(s, i, m)
        WHERE x.entity_type = $1 AND x.system = t.s AND x.source_id = t.i`,
      [config.entityType, moved.map((m) => m.key.slice(0, m.key.indexOf(':'))), moved.map((m) => m.key.slice(m.key.indexOf(':') + 1)), moved.map((m) => m.masterId)],
    );
  }
  if (retired.length > 0) {
    await client.query('UPDATE mdm.golden_record SET active = false, version = version + 1, updated_at = now() WHERE master_id = ANY($1::text[])', [retired]);
  }
  // Survivorship again wherever the members changed (the record's own values may have).
  const changedMasters = new Set([target, ...moved.map((m) => m.masterId), ...(current && current !== target && claimed.has(current) ? [current] : [])]);
  for (const id of changedMasters) await resurvive(client, config.entityType, id);

  const finalMaster = new Map<string, string>(masterOf);
  for (const a of assignment) for (const k of a.cluster.members) finalMaster.set(k, a.masterId);
  const review = scores.decisions.filter((d) => d.outcome === 'review' && finalMaster.get(d.right) !== target);
  await queueCandidates(client, config, review);

  const joined = retired.filter((id) => id !== current);
  const leftBehind = current !== undefined && current !== target && claimed.has(current);
  const action = joined.length > 0 ? 'join' : leftBehind ? 'split' : 'update';
  const after = await takeSnapshot(client, scope);
  const historyId = await appendHistory(client, {
    actor: options.actor ?? 'system', action,
    reason: `incremental match of ${record.key}: ${outcome}${current && current !== target ? ` (was ${current})` : ''}${joined.length ? `, joining ${joined.join(', ')}` : ''}`,
    masterIds: [target, ...scope.masterIds.filter((id) => id !== target)], before, after: { ...after, result: [target] },
  });
  return {
    masterId: target, outcome, decisions: scores.decisions, queued: review.length,
    ...(current ? { previousMasterId: current } : {}), ...(joined.length ? { joined } : {}),
    snapshots: { before, after }, historyId,
  };
}

/**
 * Master ids for the clusters in play, as applyClusters assigns them (each
 * cluster takes the unclaimed previous master holding most of its members,
 * ties to the smaller id, larger clusters first), with one difference: the
 * incoming record does not vote, and clusters without it choose first, so
 * the records that did not change keep their master id and the changed one
 * is the one that moves.
 */
async function assignMasterIds(
  client: pg.PoolClient,
  config: EntityConfig,
  recordKey: string,
  clusters: Cluster[],
  previousMaster: Map<string, string>,
  current: string | undefined,
): Promise<{ cluster: Cluster; masterId: string; isNew: boolean }[]> {
  const hasRecord = (c: Cluster) => c.members.includes(recordKey);
  const ordered = [...clusters].sort((a, b) => Number(hasRecord(a)) - Number(hasRecord(b)) || b.members.length - a.members.length || (a.members[0] < b.members[0] ? -1 : 1));
  const claimed = new Set<string>();
  const out: { cluster: Cluster; masterId: string; isNew: boolean }[] = [];
  for (const cluster of ordered) {
    const tally = new Map<string, number>();
    for (const k of cluster.members) {
      const prev = previousMaster.get(k);
      if (prev) tally.set(prev, (tally.get(prev) ?? 0) + 1);
    }
    const options = [...tally.entries()].filter(([id]) => !claimed.has(id)).sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    let masterId = options[0]?.[0];
    if (masterId === undefined && hasRecord(cluster) && current && !claimed.has(current)) masterId = current;
    const isNew = masterId === undefined;
    if (masterId === undefined) masterId = await freshMasterId(client, config, cluster.members[0]);
    claimed.add(masterId);
    out.push({ cluster, masterId, isNew });
  }
  return out;
}

/**
 * The record's master id for a new golden record: the first of its hashed
 * ids not already taken, checked by primary key (never a scan of every
 * master, which at a million masters cost more than the whole match).
 */
async function freshMasterId(client: pg.PoolClient, config: EntityConfig, key: string): Promise<string> {
  const taken = new Set<string>();
  for (;;) {
    const options: string[] = [];
    while (options.length < 4) {
      const id = newMasterId(config, key, new Set([...taken, ...options]));
      options.push(id);
    }
    const { rows } = await client.query('SELECT master_id FROM mdm.golden_record WHERE master_id = ANY($1::text[])', [options]);
    const existing = new Set(rows.map((r) => r.master_id as string));
    const free = options.find((id) => !existing.has(id));
    if (free) return free;
    for (const id of options) taken.add(id);
  }
}

