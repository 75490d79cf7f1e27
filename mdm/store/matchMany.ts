import type pg from 'pg';
import type { Cluster } from '../cluster/index.js';
import { countsWords } from '../compare/index.js';
import { entityConfig } from '../entities/index.js';
import type { EntityConfig } from '../entities/types.js';
import { clusterIncomingRecord, scoreCrossPairs, scoreIncomingRecord, type IncomingScores } from '../match/incremental.js';
import { scorePair, type FellegiSunterModel } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { splitSourceKey, type MatchDecision, type SourceRecord, type StandardisedRecord } from '../types.js';
import { heldMostBy, newMasterId } from './applyClusters.js';
import { writeBlockKeys } from './blockKeys.js';
import { readBlockedCandidatesOf, readMasterMembers, readMastersOf, readNeverMergeAmong, readRulingsOfEach, type Candidate } from './candidates.js';
import { appendHistories, type NewHistoryEvent } from './history.js';
import { queueCandidates } from './runBatch.js';
import { takeSnapshot, type StateScope, type StateSnapshot } from './snapshot.js';
import { readStoredCopies, storedCopyKey, toSourceRecord, upsertSourceRecords } from './sourceRecords.js';
import { resurviveMasters } from './stewardship.js';
import { adjustTermFrequenciesOf, readTermFrequencies, type TermFrequencyTable } from './termFrequencies.js';

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

/** What matching one record changed, for callers that derive golden-record change events from it. */
export interface MatchOneChange extends MatchOneResult {
  /** The stored state of every master in play before and after. */
  snapshots: { before: StateSnapshot; after: StateSnapshot };
  historyId: string;
}

export interface MatchManyOptions {
  /** The history event's actor, per record (same order), else `actor`, else 'system'. */
  actors?: string[];
  actor?: string;
  cache?: MatchOneTransactionCache;
}

/**
 * Incremental matching of several new or changed source records of one
 * entity type, set-wise: each is decided as the incremental matcher decides
 * one record (see matchOneIn), with one history event of its own and the
 * snapshots its undo needs, but the reads and writes of all of them go in a
 * few statements instead of some twenty per record.
 *
 * All the records are stored first (with their blocking keys and their term
 * counts), so each one's candidates include the others of the call, as a
 * batch over every record would compare them. The records then fall into
 * groups that share nothing the decision reads: a record, its master, the
 * masters of the candidates it links to, its always-merge partners. A record alone in its group is decided from the
 * state every group read together, and the groups are written together.
 * Records whose groups hold another record of the call (they link to each
 * other, or share a master) are decided afterwards one at a time, in the
 * order given, each reading what the earlier ones wrote — exactly what one
 * call per record would do.
 *
 * The caller holds the transaction and the steward lock
 * (`pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`). Answers in
 * the order of `inputs`.
 */
export async function matchManyIn(client: pg.PoolClient, inputs: SourceRecord[], options: MatchManyOptions = {}): Promise<MatchOneChange[]> {
  if (inputs.length === 0) return [];
  const config = entityConfig(inputs[0].entityType);
  if (inputs.some((input) => input.entityType !== config.entityType)) throw new Error('matchManyIn: records of one entity type per call');
  const records = inputs.map((input) => standardiseRecord(input, config.attributes));
  if (new Set(records.map((r) => r.key)).size !== records.length) throw new Error('matchManyIn: each record once per call');
  const actorOf = (i: number) => options.actors?.[i] ?? options.actor ?? 'system';

  const copies = await readStoredCopies(client, records);
  const stored = records.map((r) => copies.get(storedCopyKey(r)));
  // The previous copy, standardised with today's config (as the batch's counts were).
  const previous = stored.map((row) => (row ? standardiseRecord(toSourceRecord(config.entityType, row), config.attributes) : null));
  const current = stored.map((row) => (row?.master_id ?? undefined) as string | undefined);
  await upsertSourceRecords(client, records);
  await writeBlockKeys(client, config, records, (r) => copies.has(storedCopyKey(r)));
  const counted = await adjustTermFrequenciesOf(client, config, records.map((r, i) => ({ previous: previous[i], current: r })), options.cache?.counted.get(config.entityType));
  options.cache?.counted.set(config.entityType, counted);

  const matching = new Map<string, Candidate>(records.map((r, i) => [r.key, { record: r, masterId: current[i] }]));
  const candidates = await readBlockedCandidatesOf(client, config, records, matching);
  const rulings = await readRulingsOfEach(client, config.entityType, records);
  let model = options.cache?.models.get(config.entityType);
  if (!options.cache?.models.has(config.entityType)) {
    model = (await client.query('SELECT model FROM mdm.model WHERE entity_type = $1', [config.entityType])).rows[0]?.model as FellegiSunterModel | undefined;
    options.cache?.models.set(config.entityType, model);
  }
  // Word-weighted comparisons weigh both sides' words: the candidates' word counts are read too.
  const wordWeighted = config.comparisons.some(countsWords);
  const tf: TermFrequencyTable = counted
    ? await readTermFrequencies(client, config, wordWeighted ? [...records, ...uniqueRecords(candidates.flat().map((c) => c.record))] : records)
    : new Map();
  const scores = records.map((r, i) => scoreIncomingRecord(r, candidates[i].map((c) => c.record), config, model, tf, rulings[i].cannotLink));

  // Where each candidate and always-merge partner sits now.
  const masterOf = new Map<string, string>();
  for (const list of candidates) for (const c of list) if (c.masterId !== undefined) masterOf.set(c.record.key, c.masterId);
  const partners = records.map((r, i) => rulings[i].mustLink.map(([a, b]) => (a === r.key ? b : a)));
  const unknownPartners = [...new Set(partners.flat())].filter((k) => !masterOf.has(k) && !matching.has(k));
  for (const [k, m] of await readMastersOf(client, config.entityType, unknownPartners)) masterOf.set(k, m);
  for (const [k, c] of matching) if (c.masterId !== undefined) masterOf.set(k, c.masterId);

  const alone = recordsAloneInTheirGroup(records, current, scores, partners, masterOf, matching);
  const results: MatchOneChange[] = new Array(records.length);
  const aloneSet = new Set(alone);
  const later = new Set(records.filter((_, i) => !aloneSet.has(i)).map((r) => r.key));
  const decided = await decideSetWise(client, config, alone.map((i) => ({
    record: records[i], current: current[i], scores: scores[i], candidates: candidates[i], rulings: rulings[i], partners: partners[i], actor: actorOf(i),
  })), { model, tf, counted, masterOf, later });
  alone.forEach((i, n) => { results[i] = decided[n]; });
  // The others see what the ones before them wrote, as one call each would.
  for (let i = 0; i < records.length; i++) {
    if (results[i] === undefined) [results[i]] = await matchManyIn(client, [inputs[i]], { actors: [actorOf(i)], cache: options.cache });
  }
  return results;
}

/**
 * The records no other record of the call can affect: union-find over the
 * records and the masters each one's decision reads (its own, those of the
 * candidates it links to, its partners'). A record linked to another record
 * of the call joins that record's group.
 */
function recordsAloneInTheirGroup(
  records: StandardisedRecord[],
  current: (string | undefined)[],
  scores: IncomingScores[],
  partners: string[][],
  masterOf: Map<string, string>,
  matching: Map<string, Candidate>,
): number[] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.has(root) && parent.get(root) !== root) root = parent.get(root)!;
    parent.set(x, root);
    return root;
  };
  const union = (a: string, b: string) => {
    const ra = find(a); const rb = find(b);
    if (ra !== rb) parent.set(ra, rb);
  };
  const node = (key: string) => (matching.has(key) ? `r:${key}` : masterOf.has(key) ? `m:${masterOf.get(key)}` : `r:${key}`);
  records.forEach((r, i) => {
    const self = `r:${r.key}`;
    find(self);
    if (current[i]) union(self, `m:${current[i]}`);
    // A review pair reads nothing a link would change (see decideSetWise's review queue): only links join groups.
    for (const d of scores[i].decisions) if (d.outcome === 'merge') union(self, node(d.right));
    for (const k of partners[i]) union(self, node(k));
  });
  const size = new Map<string, number>();
  for (const r of records) { const root = find(`r:${r.key}`); size.set(root, (size.get(root) ?? 0) + 1); }
  return records.flatMap((r, i) => (size.get(find(`r:${r.key}`)) === 1 ? [i] : []));
}

interface SetWiseItem {
  record: StandardisedRecord;
  current: string | undefined;
  scores: IncomingScores;
  candidates: Candidate[];
  rulings: { cannotLink: [string, string][]; mustLink: [string, string][] };
  partners: string[];
  actor: string;
}

/**
 * The cluster step and the writes for records that share no master in play
 * (see recordsAloneInTheirGroup): the members of all their masters in one
 * read, one snapshot before and after for all (each record's history keeps
 * the part for its own masters), one statement per kind of write.
 */
async function decideSetWise(
  client: pg.PoolClient,
  config: EntityConfig,
  items: SetWiseItem[],
  state: {
    model: FellegiSunterModel | undefined; tf: TermFrequencyTable; counted: boolean; masterOf: Map<string, string>;
    /** Records of the call matched one at a time after these: each queues its own review pairs with these then. */
    later: Set<string>;
  },
): Promise<MatchOneChange[]> {
  if (items.length === 0) return [];
  const { model, tf, masterOf } = state;
  // The masters in play for each: those the record links to, its own, its always-merge partners'.
  const inPlay = items.map((item) => {
    const ids = new Set<string>();
    if (item.current) ids.add(item.current);
    for (const d of item.scores.decisions) if (d.outcome === 'merge') ids.add(masterOf.get(d.right)!);
    for (const k of item.partners) if (masterOf.has(k)) ids.add(masterOf.get(k)!);
    return ids;
  });
  const members = await readMasterMembers(client, config, [...new Set(inPlay.flatMap((ids) => [...ids]))]);
  const mastersOf = items.map((item, n) => {
    const masters = new Map<string, StandardisedRecord[]>();
    for (const id of inPlay[n]) {
      const list = (members.get(id) ?? []).filter((r) => r.key !== item.record.key);
      if (list.length > 0) masters.set(id, list); // the record was its master's only member otherwise
    }
    return masters;
  });
  const joining = items.flatMap((_, n) => (mastersOf[n].size > 1 ? [...mastersOf[n].values()].flat().map((r) => r.key) : []));
  const neverMerge = await readNeverMergeAmong(client, config.entityType, joining);
  // Members that were not a record's candidates may be scored against it by the cohesion check: their counts too.
  const needCounts = items.flatMap((item, n) => {
    const all = [...mastersOf[n].values()].flat();
    const candidateKeys = new Set(item.candidates.map((c) => c.record.key));
    return mastersOf[n].size > 1 || all.some((r) => !candidateKeys.has(r.key)) ? all : [];
  });
  if (model && state.counted && needCounts.length > 0) await readTermFrequencies(client, config, needCounts, tf);

  const decisions = items.map((item, n) => {
    const masters = mastersOf[n];
    const memberKeys = new Set([...masters.values()].flat().map((r) => r.key));
    const cannotLink = [...item.rulings.cannotLink, ...(masters.size > 1 ? neverMerge.filter(([a, b]) => memberKeys.has(a) && memberKeys.has(b)) : [])];
    const crossScored = model && masters.size > 1 ? scoreCrossPairs(masters, config, model, tf) : [];
    const clusters = clusterIncomingRecord(
      {
        record: item.record, scores: item.scores, masters, crossScored, cannotLink, mustLink: item.rulings.mustLink, guarded: model !== undefined,
        pairWeight: model ? (a, b) => scorePair(a, b, model, config, tf).weight : undefined,
      },
      config,
    );
    const previousMaster = new Map<string, string>();
    for (const [id, list] of masters) for (const r of list) previousMaster.set(r.key, id);
    return { clusters, previousMaster };
  });
  const assignments = assignMasterIds(items, decisions);
  const fresh = await freshMasterIds(client, config, assignments.flatMap((list) => list.filter((a) => a.isNew).map((a) => a.cluster.members[0])));
  let nextFresh = 0;
  for (const list of assignments) for (const a of list) if (a.isNew) a.masterId = fresh[nextFresh++];

  const plans = items.map((item, n) => {
    const assignment = assignments[n];
    const own = assignment.find((a) => a.cluster.members.includes(item.record.key))!;
    const target = own.masterId!;
    const claimed = new Set(assignment.map((a) => a.masterId!));
    const retired = [...new Set([...mastersOf[n].keys(), ...(item.current ? [item.current] : [])])].filter((id) => !claimed.has(id));
    const scope: StateScope = { masterIds: [...new Set([...claimed, ...retired])].sort(), decisionPairs: [], candidateIds: [] };
    const link = own.cluster.members.length > 1 ? own.cluster.links[item.record.key] ?? { score: 1, rule: 'incremental' } : { score: 1, rule: 'singleton' };
    // Members of a master joined into another move with their links unchanged.
    const moved: { key: string; masterId: string }[] = [];
    for (const a of assignment) for (const k of a.cluster.members) if (k !== item.record.key && decisions[n].previousMaster.get(k) !== a.masterId) moved.push({ key: k, masterId: a.masterId! });
    const { current } = item;
    const outcome: MatchOneResult['outcome'] = target === current ? 'unchanged' : own.isNew ? 'created' : 'linked';
    const joined = retired.filter((id) => id !== current);
    const leftBehind = current !== undefined && current !== target && claimed.has(current);
    // Survivorship again wherever the members changed (the record's own values may have).
    const changedMasters = [target, ...moved.map((m) => m.masterId), ...(current && current !== target && claimed.has(current) ? [current] : [])];
    return { item, assignment, target, claimed, retired, scope, link, moved, outcome, joined, leftBehind, changedMasters, review: [] as MatchDecision[] };
  });
  // Review pairs whose records end up apart are queued. A pair between two records of the call counts once
  // (each saw the other); with a record matched later, that record queues it when it is matched.
  const finalMaster = new Map<string, string>(masterOf);
  for (const plan of plans) for (const a of plan.assignment) for (const k of a.cluster.members) finalMaster.set(k, a.masterId!);
  const queued = new Set<string>();
  for (const plan of plans) {
    plan.review = plan.item.scores.decisions.filter((d) => {
      if (d.outcome !== 'review' || state.later.has(d.right) || finalMaster.get(d.right) === plan.target) return false;
      const pair = d.left < d.right ? `${d.left}\u0000${d.right}` : `${d.right}\u0000${d.left}`;
      if (queued.has(pair)) return false;
      queued.add(pair);
      return true;
    });
  }

  const scopeIds = [...new Set(plans.flatMap((p) => p.scope.masterIds))].sort();
  const created = plans.flatMap((p) => p.assignment.filter((a) => a.isNew).map((a) => a.masterId!));
  // Masters drawn just now have no rows before: only the others are read.
  const drawnNow = new Set(created);
  const existing = scopeIds.filter((id) => !drawnNow.has(id));
  const before = existing.length > 0
    ? await takeSnapshot(client, { masterIds: existing, decisionPairs: [], candidateIds: [] })
    : { scope: { masterIds: [], decisionPairs: [], candidateIds: [] }, golden: [], xref: [], decisions: [], candidates: [] };
  if (created.length > 0) {
    await client.query(`INSERT INTO mdm.golden_record (master_id, entity_type) SELECT id, $2 FROM unnest($1::text[]) AS t(id)`, [created, config.entityType]);
  }
  await client.query(
    `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule)
     SELECT $1, t.s, t.i, t.m, t.score, t.rule FROM unnest($2::text[], $3::text[], $4::text[], $5::float8[], $6::text[]) AS t(s, i, m, score, rule)
     ON CONFLICT (entity_type, system, source_id) DO UPDATE SET master_id = excluded.master_id, score = excluded.score, rule = excluded.rule, linked_at = now()
     WHERE (mdm.xref.master_id, mdm.xref.score, mdm.xref.rule) IS DISTINCT FROM (excluded.master_id, excluded.score, excluded.rule)`,
    [config.entityType, plans.map((p) => p.item.record.system), plans.map((p) => p.item.record.sourceId), plans.map((p) => p.target), plans.map((p) => p.link.score), plans.map((p) => p.link.rule)],
  );
  const moved = plans.flatMap((p) => p.moved);
  if (moved.length > 0) {
    const keys = moved.map((m) => splitSourceKey(m.key));
    await client.query(
      `UPDATE mdm.xref x SET master_id = t.m, linked_at = now() FROM unnest($2::text[], $3::text[], $4::text[]) AS t(s, i, m)
        WHERE x.entity_type = $1 AND x.system = t.s AND x.source_id = t.i`,
      [config.entityType, keys.map((k) => k.system), keys.map((k) => k.sourceId), moved.map((m) => m.masterId)],
    );
  }
  const retired = plans.flatMap((p) => p.retired);
  if (retired.length > 0) {
    await client.query('UPDATE mdm.golden_record SET active = false, version = version + 1, updated_at = now() WHERE master_id = ANY($1::text[])', [retired]);
  }
  await resurviveMasters(client, config.entityType, [...new Set(plans.flatMap((p) => p.changedMasters))]);
  await queueCandidates(client, config, plans.flatMap((p) => p.review));
  const after = await takeSnapshot(client, { masterIds: scopeIds, decisionPairs: [], candidateIds: [] });

  const beforeRows = rowsByMaster(before);
  const afterRows = rowsByMaster(after);
  const snapshots = plans.map((p) => ({ before: partOf(beforeRows, p.scope), after: partOf(afterRows, p.scope) }));
  const events: NewHistoryEvent[] = plans.map((p, n) => {
    const { current } = p.item;
    return {
      actor: p.item.actor, action: p.joined.length > 0 ? 'join' : p.leftBehind ? 'split' : 'update',
      reason: `incremental match of ${p.item.record.key}: ${p.outcome}${current && current !== p.target ? ` (was ${current})` : ''}${p.joined.length ? `, joining ${p.joined.join(', ')}` : ''}`,
      masterIds: [p.target, ...p.scope.masterIds.filter((id) => id !== p.target)], before: snapshots[n].before, after: { ...snapshots[n].after, result: [p.target] },
    };
  });
  const historyIds = await appendHistories(client, events);
  return plans.map((p, n) => ({
    masterId: p.target, outcome: p.outcome, decisions: p.item.scores.decisions, queued: p.review.length,
    ...(p.item.current ? { previousMasterId: p.item.current } : {}), ...(p.joined.length ? { joined: p.joined } : {}),
    snapshots: snapshots[n], historyId: historyIds[n],
  }));
}

/** A snapshot's golden and xref rows by master id, each with its place in the snapshot's (database-sorted) order. */
function rowsByMaster(snapshot: StateSnapshot): { golden: Map<string, Record<string, unknown>[]>; xref: Map<string, Record<string, unknown>[]>; place: Map<Record<string, unknown>, number> } {
  const place = new Map<Record<string, unknown>, number>();
  const group = (rows: Record<string, unknown>[]) => {
    const by = new Map<string, Record<string, unknown>[]>();
    rows.forEach((row, i) => {
      place.set(row, i);
      (by.get(row.master_id as string) ?? by.set(row.master_id as string, []).get(row.master_id as string)!).push(row);
    });
    return by;
  };
  return { golden: group(snapshot.golden), xref: group(snapshot.xref), place };
}

/** The part of a snapshot over a narrower scope of masters, in the snapshot's order (as takeSnapshot of that scope would read it). */
function partOf(rows: ReturnType<typeof rowsByMaster>, scope: StateScope): StateSnapshot {
  const inOrder = (list: Record<string, unknown>[]) => list.sort((a, b) => rows.place.get(a)! - rows.place.get(b)!);
  return {
    scope,
    golden: inOrder(scope.masterIds.flatMap((id) => rows.golden.get(id) ?? [])),
    xref: inOrder(scope.masterIds.flatMap((id) => rows.xref.get(id) ?? [])),
    decisions: [],
    candidates: [],
  };
}

interface Assignment {
  cluster: Cluster;
  /** Undefined until a fresh id is drawn for a new master. */
  masterId: string | undefined;
  isNew: boolean;
}

/**
 * Master ids for the clusters in play, as applyClusters assigns them (each
 * cluster takes the unclaimed previous master holding most of its members,
 * ties to the smaller id, larger clusters first), with one difference: the
 * incoming record does not vote, and clusters without it choose first, so
 * the records that did not change keep their master id and the changed one
 * is the one that moves. New masters get their ids afterwards (freshMasterIds).
 */
function assignMasterIds(items: SetWiseItem[], decided: { clusters: Cluster[]; previousMaster: Map<string, string> }[]): Assignment[][] {
  return items.map((item, n) => {
    const recordKey = item.record.key;
    const { clusters, previousMaster } = decided[n];
    const hasRecord = (c: Cluster) => c.members.includes(recordKey);
    const ordered = [...clusters].sort((a, b) => Number(hasRecord(a)) - Number(hasRecord(b)) || b.members.length - a.members.length || (a.members[0] < b.members[0] ? -1 : 1));
    const claimed = new Set<string>();
    const out: Assignment[] = [];
    for (const cluster of ordered) {
      let masterId = heldMostBy(cluster, previousMaster, claimed);
      if (masterId === undefined && hasRecord(cluster) && item.current && !claimed.has(item.current)) masterId = item.current;
      if (masterId !== undefined) claimed.add(masterId);
      out.push({ cluster, masterId, isNew: masterId === undefined });
    }
    return out;
  });
}

/**
 * An id for each new golden record, named by its first member: the first of
 * its hashed ids neither taken in the store nor drawn for another one here,
 * checked by primary key in one statement per round (never a scan of every
 * master, which at a million masters cost more than the whole match).
 */
async function freshMasterIds(client: pg.PoolClient, config: EntityConfig, firstKeys: string[]): Promise<string[]> {
  const chosen: (string | undefined)[] = firstKeys.map(() => undefined);
  const tried = firstKeys.map(() => new Set<string>());
  const drawn = new Set<string>();
  for (let round = 0; ; round++) {
    const open = chosen.flatMap((c, i) => (c === undefined ? [i] : []));
    if (open.length === 0) return chosen as string[];
    const options = new Map<number, string[]>();
    for (const i of open) {
      const list: string[] = [];
      // A record's first hashed id is nearly always free: one each first, then four at a time.
      while (list.length < (round === 0 ? 1 : 4)) list.push(newMasterId(config, firstKeys[i], new Set([...tried[i], ...list])));
      options.set(i, list);
    }
    const { rows } = await client.query('SELECT master_id FROM mdm.golden_record WHERE master_id = ANY($1::text[])', [[...options.values()].flat()]);
    const existing = new Set(rows.map((r) => r.master_id as string));
    for (const i of open) {
      const free = options.get(i)!.find((id) => !existing.has(id) && !drawn.has(id));
      if (free) { chosen[i] = free; drawn.add(free); } else for (const id of options.get(i)!) tried[i].add(id);
    }
  }
}

function uniqueRecords(records: StandardisedRecord[]): StandardisedRecord[] {
  return [...new Map(records.map((r) => [r.key, r])).values()];
}
