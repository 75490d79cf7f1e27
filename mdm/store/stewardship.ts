import { createHash } from 'node:crypto';
import type pg from 'pg';
import { entityConfig } from '../entities/index.js';
import { MdmError } from '../errors.js';
import { standardiseRecord } from '../standardise/index.js';
import { surviveGoldenValues } from '../survive/index.js';
import { sourceKey } from '../types.js';
import { newMasterId } from './applyClusters.js';
import { appendHistory, toHistoryEvent, type HistoryEvent } from './history.js';
import { restoreSnapshot, sameState, takeSnapshot, type StateScope, type StateSnapshot } from './snapshot.js';
import { toSourceRecord, upsertSourceRecords } from './sourceRecords.js';
import { writeBlockKeys } from './blockKeys.js';
import { adjustTermFrequencies } from './termFrequencies.js';

/** Who decides and why; the idempotency key makes a retried call apply once. */
export interface StewardContext {
  actor: string;
  reason?: string | null;
  idempotencyKey?: string | null;
}

/** What every steward operation returns: the history event it wrote (or wrote earlier, on a retry). */
export interface StewardResult {
  event: HistoryEvent;
  /** True when the idempotency key had already been used: nothing was changed now. */
  replayed: boolean;
  /** The masters the operation left in place (e.g. the surviving master of a merge). */
  masterIds: string[];
}

export interface ReviewCandidate {
  id: string;
  entityType: string;
  left: { system: string; sourceId: string; masterId: string | null; attributes: Record<string, unknown> | null };
  right: { system: string; sourceId: string; masterId: string | null; attributes: Record<string, unknown> | null };
  score: number;
  explanation: unknown;
  createdAt: string;
}

/** The steward's queue: pending pairs, best score first, paged by (score, id). */
export async function listReviewQueue(
  db: pg.Pool | pg.PoolClient,
  options: { entityType?: string; first?: number; after?: string } = {},
): Promise<{ nodes: ReviewCandidate[]; endCursor: string | null; hasNextPage: boolean }> {
  const first = Math.min(Math.max(options.first ?? 20, 1), 200);
  const offset = options.after ? decodeOffset(options.after) : 0;
  const { rows } = await db.query(
    `SELECT c.id::text AS id, c.entity_type, c.left_system, c.left_id, c.right_system, c.right_id, c.score, c.explanation, c.created_at,
            xl.master_id AS left_master, xr.master_id AS right_master, sl.attributes AS left_attributes, sr.attributes AS right_attributes
       FROM mdm.match_candidate c
       LEFT JOIN mdm.xref xl ON xl.entity_type = c.entity_type AND xl.system = c.left_system AND xl.source_id = c.left_id
       LEFT JOIN mdm.xref xr ON xr.entity_type = c.entity_type AND xr.system = c.right_system AND xr.source_id = c.right_id
       LEFT JOIN mdm.source_record sl ON sl.entity_type = c.entity_type AND sl.system = c.left_system AND sl.source_id = c.left_id
       LEFT JOIN mdm.source_record sr ON sr.entity_type = c.entity_type AND sr.system = c.right_system AND sr.source_id = c.right_id
      WHERE c.status = 'pending' AND ($1::text IS NULL OR c.entity_type = $1)
      ORDER BY c.score DESC, c.id LIMIT $2 OFFSET $3`,
    [options.entityType ?? null, first + 1, offset],
  );
  const nodes = rows.slice(0, first).map((r) => ({
    id: r.id, entityType: r.entity_type, score: r.score, explanation: r.explanation, createdAt: r.created_at.toISOString(),
    left: { system: r.left_system, sourceId: r.left_id, masterId: r.left_master, attributes: r.left_attributes },
    right: { system: r.right_system, sourceId: r.right_id, masterId: r.right_master, attributes: r.right_attributes },
  }));
  return { nodes, endCursor: nodes.length ? encodeOffset(offset + nodes.length) : null, hasNextPage: rows.length > first };
}

/** Accepts a queued pair: their golden records are merged and the pair stays merged in later runs. */
export async function acceptCandidate(pool: pg.Pool, candidateId: string, context: StewardContext): Promise<StewardResult> {
  return stewardTransaction(pool, context, 'accept', { candidateId }, async (client) => {
    const candidate = await pendingCandidate(client, candidateId);
    const left = await masterOf(client, candidate.entity_type, candidate.left_system, candidate.left_id);
    const right = await masterOf(client, candidate.entity_type, candidate.right_system, candidate.right_id);
    const pair = decisionPair(candidate.entity_type, [candidate.left_system, candidate.left_id], [candidate.right_system, candidate.right_id]);
    const scope: StateScope = { masterIds: unique([left, right]), decisionPairs: [pair], candidateIds: [candidateId] };
    return {
      scope,
      apply: async () => {
        await client.query(`UPDATE mdm.match_candidate SET status = 'accepted', decided_at = now(), decided_by = $2 WHERE id = $1::bigint`, [candidateId, context.actor]);
        await writeDecision(client, pair, 'always_merge', context.actor);
        const survivor = left === right ? left : await joinMasters(client, candidate.entity_type, [left, right]);
        return [survivor];
      },
    };
  });
}

/** Rejects a queued pair: the two records are never merged automatically again. */
export async function rejectCandidate(pool: pg.Pool, candidateId: string, context: StewardContext): Promise<StewardResult> {
  return stewardTransaction(pool, context, 'reject', { candidateId }, async (client) => {
    const candidate = await pendingCandidate(client, candidateId);
    const pair = decisionPair(candidate.entity_type, [candidate.left_system, candidate.left_id], [candidate.right_system, candidate.right_id]);
    const left = await masterOf(client, candidate.entity_type, candidate.left_system, candidate.left_id);
    const right = await masterOf(client, candidate.entity_type, candidate.right_system, candidate.right_id);
    return {
      scope: { masterIds: unique([left, right]), decisionPairs: [pair], candidateIds: [candidateId] },
      apply: async () => {
        await client.query(`UPDATE mdm.match_candidate SET status = 'rejected', decided_at = now(), decided_by = $2 WHERE id = $1::bigint`, [candidateId, context.actor]);
        await writeDecision(client, pair, 'never_merge', context.actor);
        return unique([left, right]);
      },
    };
  });
}

/**
 * Merges two (or more) golden records into the first one given; the others
 * are deactivated. The merge is forced: later batch runs keep it.
 */
export async function mergeGoldenRecords(pool: pg.Pool, masterIds: string[], context: StewardContext): Promise<StewardResult> {
  if (unique(masterIds).length < 2) throw new MdmError('MDM_INVALID_ARGUMENT', `mergeGoldenRecords needs two different master ids, got ${JSON.stringify(masterIds)}`);
  return stewardTransaction(pool, context, 'merge', { masterIds }, async (client) => {
    const ids = unique(masterIds);
    const { rows } = await client.query('SELECT master_id, entity_type, active FROM mdm.golden_record WHERE master_id = ANY($1::text[])', [ids]);
    for (const id of ids) {
      const row = rows.find((r) => r.master_id === id);
      if (!row) throw new MdmError('MDM_NOT_FOUND', `golden record ${id} does not exist`);
      if (!row.active) throw new MdmError('MDM_CONFLICT', `golden record ${id} is inactive (merged away earlier); merge its current master instead`);
    }
    const entityType = rows[0].entity_type as string;
    if (rows.some((r) => r.entity_type !== entityType)) throw new MdmError('MDM_INVALID_ARGUMENT', 'cannot merge golden records of different entity types');
    const anchors = await Promise.all(ids.map((id) => firstMember(client, id)));
    // A forced link from the first master's first record to each other master's keeps the clusters joined.
    const pairs = anchors.slice(1).map((a) => decisionPair(entityType, anchors[0], a));
    return {
      scope: { masterIds: ids, decisionPairs: pairs, candidateIds: [] },
      apply: async () => {
        for (const pair of pairs) await writeDecision(client, pair, 'always_merge', context.actor);
        return [await joinMasters(client, entityType, ids, ids[0])];
      },
    };
  });
}

/**
 * Takes one source record out of its golden record into a new golden record
 * of its own; it is never merged back automatically with the records it left.
 */
export async function unmergeSourceRecord(
  pool: pg.Pool,
  source: { entityType: string; system: string; sourceId: string },
  context: StewardContext,
): Promise<StewardResult> {
  return stewardTransaction(pool, context, 'unmerge', { source }, async (client) => {
    const master = await masterOf(client, source.entityType, source.system, source.sourceId);
    const members = (await client.query('SELECT system, source_id FROM mdm.xref WHERE master_id = $1 ORDER BY system, source_id', [master])).rows;
    if (members.length < 2) throw new MdmError('MDM_CONFLICT', `${source.system}:${source.sourceId} is the only record of ${master}; nothing to unmerge`);
    const others = members.filter((m) => !(m.system === source.system && m.source_id === source.sourceId));
    const never = others.map((m) => decisionPair(source.entityType, [source.system, source.sourceId], [m.system, m.source_id]));
    const [newId] = await newMasterIdsFor(client, source.entityType, [sourceKey(source.system, source.sourceId)]);
    return {
      scope: { masterIds: [master, newId], decisionPairs: never, candidateIds: [] },
      apply: async () => {
        // Forced links that would pull the record back in are withdrawn.
        await client.query(
          `DELETE FROM mdm.steward_decision WHERE entity_type = $1 AND decision = 'always_merge'
             AND ((left_system = $2 AND left_id = $3) OR (right_system = $2 AND right_id = $3))`,
          [source.entityType, source.system, source.sourceId],
        );
        for (const pair of never) await writeDecision(client, pair, 'never_merge', context.actor);
        await client.query(`INSERT INTO mdm.golden_record (master_id, entity_type) VALUES ($1, $2)`, [newId, source.entityType]);
        await client.query(
          `UPDATE mdm.xref SET master_id = $4, score = 1, rule = 'steward:unmerge', linked_at = now()
            WHERE entity_type = $1 AND system = $2 AND source_id = $3`,
          [source.entityType, source.system, source.sourceId, newId],
        );
        await resurvive(client, source.entityType, master);
        await resurvive(client, source.entityType, newId);
        return [master, newId];
      },
    };
  });
}

/**
 * Undoes one history event by writing back its "before" state. Refused when
 * the records it touched have changed since (undo the later events first).
 *
 * Undoing a steward's operation restores the exact previous state, rulings
 * included. Undoing an automatic decision of incremental matching (`update`,
 * `join`, `split`) restores the golden records and links it changed, and is
 * itself a steward's ruling, remembered as one: records it had put together
 * are never merged again automatically, records it had split stay merged —
 * otherwise the next change to the record would redo what the steward undid.
 * A source record that arrived with the event keeps existing in its source,
 * so it gets a golden record of its own rather than none.
 */
export async function undoHistoryEvent(pool: pg.Pool, eventId: string, context: StewardContext): Promise<StewardResult> {
  return stewardTransaction(pool, context, 'undo', { eventId }, async (client) => {
    const { rows } = await client.query(
      'SELECT id, at, actor, action, reason, master_ids, before, after, idempotency_key FROM mdm.history WHERE id = $1::bigint', [eventId],
    );
    if (rows.length === 0) throw new MdmError('MDM_NOT_FOUND', `history event ${eventId} does not exist`);
    const event = toHistoryEvent(rows[0]);
    const before = event.before as StateSnapshot | null;
    const after = event.after as StateSnapshot | null;
    if (!before?.scope || !after?.scope) throw new MdmError('MDM_CONFLICT', `history event ${eventId} (${event.action}) carries no snapshot to undo from: steward operations and incremental matches can be undone, a batch run cannot (take a record out of a batch merge with unmergeSourceRecord)`);
    const undone = await client.query(`SELECT 1 FROM mdm.history WHERE action = 'undo' AND after->>'undoes' = $1`, [eventId]);
    if (undone.rowCount) throw new MdmError('MDM_CONFLICT', `history event ${eventId} has already been undone`);
    const current = await takeSnapshot(client, after.scope);
    if (!sameState(current, after)) {
      throw new MdmError('MDM_CONFLICT', `the records of history event ${eventId} changed after it; undo the later events first`);
    }
    const automatic = incrementalMatchActions.has(event.action);
    const rulings = automatic ? rulingsUndoing(before, after) : { never: [], always: [] };
    const known = new Set(before.xref.map(sourceOf));
    const arrived = automatic ? after.xref.filter((x) => !known.has(sourceOf(x))) : [];
    const ownMasters = await newMasterIdsFor(client, arrived[0]?.entity_type as string, arrived.map(sourceOf));
    const scope: StateScope = {
      masterIds: unique([...before.scope.masterIds, ...after.scope.masterIds, ...ownMasters]),
      decisionPairs: [...before.scope.decisionPairs, ...after.scope.decisionPairs, ...rulings.never, ...rulings.always],
      candidateIds: unique([...before.scope.candidateIds, ...after.scope.candidateIds]),
    };
    return {
      scope,
      undoes: eventId,
      apply: async () => {
        // A record its source removed comes back with the copy the removal kept.
        const removed = (before as StateSnapshot & { removedSource?: Record<string, any> }).removedSource;
        if (removed) await restoreSourceRecord(client, removed);
        await restoreSnapshot(client, before, current);
        for (const pair of rulings.never) await writeDecision(client, pair, 'never_merge', context.actor);
        for (const pair of rulings.always) await writeDecision(client, pair, 'always_merge', context.actor);
        for (const [i, x] of arrived.entries()) {
          await client.query('INSERT INTO mdm.golden_record (master_id, entity_type) VALUES ($1, $2)', [ownMasters[i], x.entity_type]);
          await client.query(
            `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule) VALUES ($1, $2, $3, $4, 1, 'steward:undo')`,
            [x.entity_type, x.system, x.source_id, ownMasters[i]],
          );
          await resurvive(client, x.entity_type as string, ownMasters[i]);
        }
        return [...before.golden.filter((g) => g.active).map((g) => g.master_id as string), ...ownMasters];
      },
    };
  });
}

/** History actions written by incremental matching (matchOne), not by a steward. */
const incrementalMatchActions = new Set(['update', 'join', 'split']);

/** Puts back a source record (and its blocking keys) a 'remove' event took out. */
async function restoreSourceRecord(client: pg.PoolClient, removed: Record<string, any>): Promise<void> {
  const config = entityConfig(removed.entity_type);
  const record = standardiseRecord(toSourceRecord(removed.entity_type, removed), config.attributes);
  await upsertSourceRecords(client, [record]);
  await writeBlockKeys(client, config, [record]);
  await adjustTermFrequencies(client, config, null, record);
}

type XrefRow = Record<string, unknown>;
/** A snapshot's xref rows are of one entity type (their masters'), so the source key tells them apart. */
const sourceOf = (x: XrefRow) => sourceKey(x.system as string, x.source_id as string);

/**
 * The rulings that keep an undone automatic decision undone: a never-merge
 * for every pair of records the event put together, an always-merge for
 * every pair it split apart.
 */
function rulingsUndoing(before: StateSnapshot, after: StateSnapshot): { never: DecisionPair[]; always: DecisionPair[] } {
  const masterIn = (rows: XrefRow[]) => new Map(rows.map((x) => [sourceOf(x), x.master_id as string]));
  const was = masterIn(before.xref);
  const became = masterIn(after.xref);
  const records = [...new Map([...before.xref, ...after.xref].map((x) => [sourceOf(x), x])).values()];
  const never: DecisionPair[] = [];
  const always: DecisionPair[] = [];
  for (let i = 0; i < records.length; i++) {
    for (let j = i + 1; j < records.length; j++) {
      const [a, b] = [records[i], records[j]];
      const [ka, kb] = [sourceOf(a), sourceOf(b)];
      const togetherBefore = was.has(ka) && was.get(ka) === was.get(kb);
      const togetherAfter = became.has(ka) && became.get(ka) === became.get(kb);
      if (togetherAfter === togetherBefore) continue;
      const pair = decisionPair(a.entity_type as string, [a.system as string, a.source_id as string], [b.system as string, b.source_id as string]);
      (togetherAfter ? never : always).push(pair);
    }
  }
  return { never, always };
}

/** A fresh master id for each source key, clear of every id the entity type has used. */
async function newMasterIdsFor(client: pg.PoolClient, entityType: string, keys: string[]): Promise<string[]> {
  if (keys.length === 0) return [];
  const config = entityConfig(entityType);
  const taken = new Set((await client.query('SELECT master_id FROM mdm.golden_record WHERE master_id LIKE $1', [`${config.idPrefix}%`])).rows.map((r) => r.master_id as string));
  return keys.map((key) => {
    const id = newMasterId(config, key, taken);
    taken.add(id);
    return id;
  });
}

interface PreparedChange {
  scope: StateScope;
  undoes?: string;
  apply: () => Promise<string[]>;
}

/**
 * One steward decision = one transaction: replay check by idempotency key,
 * a lock so decisions apply one at a time, the snapshot before, the change,
 * the snapshot after, and the history event that holds both.
 */
async function stewardTransaction(
  pool: pg.Pool,
  context: StewardContext,
  action: 'accept' | 'reject' | 'merge' | 'unmerge' | 'undo',
  request: Record<string, unknown>,
  prepare: (client: pg.PoolClient) => Promise<PreparedChange>,
): Promise<StewardResult> {
  if (!context.actor) throw new MdmError('MDM_INVALID_ARGUMENT', 'a steward operation needs an actor');
  const fingerprint = requestFingerprint(action, request, context);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`);
    if (context.idempotencyKey) {
      const previous = await client.query(
        'SELECT id, at, actor, action, reason, master_ids, before, after, idempotency_key, request_fingerprint FROM mdm.history WHERE idempotency_key = $1', [context.idempotencyKey],
      );
      if (previous.rowCount) {
        await client.query('COMMIT');
        const event = toHistoryEvent(previous.rows[0]);
        const firstFingerprint = previous.rows[0].request_fingerprint as string | null;
        if (event.action !== action || (firstFingerprint !== null && firstFingerprint !== fingerprint)) {
          throw new MdmError(
            'MDM_IDEMPOTENCY_KEY_REUSED',
            `idempotency key "${context.idempotencyKey}" was first used for a different request (a ${event.action}, history event ${event.id}); a retry must repeat the same operation, arguments and reason, a new request needs a new key`,
            { idempotencyKey: context.idempotencyKey, historyEventId: event.id },
          );
        }
        return { event, replayed: true, masterIds: (event.after as { result?: string[] } | null)?.result ?? event.masterIds };
      }
    }
    const change = await prepare(client);
    const before = await takeSnapshot(client, change.scope);
    const result = await change.apply();
    const scope = { ...change.scope, masterIds: unique([...change.scope.masterIds, ...result]) };
    const after = await takeSnapshot(client, scope);
    const id = await appendHistory(client, {
      actor: context.actor, action, reason: context.reason ?? null, masterIds: scope.masterIds,
      before: { ...before, scope }, after: { ...after, result, ...(change.undoes ? { undoes: change.undoes } : {}) },
      idempotencyKey: context.idempotencyKey ?? null,
      requestFingerprint: context.idempotencyKey ? fingerprint : null,
    });
    const { rows } = await client.query('SELECT id, at, actor, action, reason, master_ids, before, after, idempotency_key FROM mdm.history WHERE id = $1::bigint', [id]);
    await client.query('COMMIT');
    return { event: toHistoryEvent(rows[0]), replayed: false, masterIds: result };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Joins masters into one: the survivor (given, else the one with most
 * records, then the smallest id) takes every xref row; the others are
 * deactivated. The survivor's values are survived again.
 */
export async function joinMasters(client: pg.PoolClient, entityType: string, masterIds: string[], survivor?: string): Promise<string> {
  const ids = unique(masterIds);
  const counts = (await client.query(
    'SELECT master_id, count(*)::int AS n FROM mdm.xref WHERE master_id = ANY($1::text[]) GROUP BY master_id', [ids],
  )).rows;
  const size = (id: string) => counts.find((c) => c.master_id === id)?.n ?? 0;
  const keep = survivor ?? [...ids].sort((a, b) => size(b) - size(a) || (a < b ? -1 : 1))[0];
  const absorbed = ids.filter((id) => id !== keep);
  await client.query(
    `UPDATE mdm.xref SET master_id = $1, rule = 'steward:merge', linked_at = now() WHERE master_id = ANY($2::text[])`, [keep, absorbed],
  );
  await client.query(
    'UPDATE mdm.golden_record SET active = false, version = version + 1, updated_at = now() WHERE master_id = ANY($1::text[])', [absorbed],
  );
  await resurvive(client, entityType, keep);
  return keep;
}

/** Survivorship again for one master, from its current source records. */
export async function resurvive(client: pg.PoolClient, entityType: string, masterId: string): Promise<void> {
  await resurviveMasters(client, entityType, [masterId]);
}

/** Survivorship again for several masters: one read of their members, one update. */
export async function resurviveMasters(client: pg.PoolClient, entityType: string, masterIds: string[]): Promise<void> {
  if (masterIds.length === 0) return;
  const config = entityConfig(entityType);
  const { rows } = await client.query(
    `SELECT x.master_id, s.system, s.source_id, s.attributes, s.source_updated_at FROM mdm.xref x
       JOIN mdm.source_record s ON s.entity_type = x.entity_type AND s.system = x.system AND s.source_id = x.source_id
      WHERE x.master_id = ANY($1::text[])`, [masterIds],
  );
  const members = new Map<string, ReturnType<typeof standardiseRecord>[]>(masterIds.map((id) => [id, []]));
  for (const r of rows) members.get(r.master_id)?.push(standardiseRecord(toSourceRecord(entityType, r), config.attributes));
  const ids = [...members.keys()];
  const values = ids.map((id) => surviveGoldenValues(members.get(id)!, config.survivorship));
  await client.query(
    `UPDATE mdm.golden_record g SET attributes = t.a::jsonb, provenance = t.p::jsonb, active = true, version = g.version + 1, updated_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(id, a, p) WHERE g.master_id = t.id`,
    [ids, values.map((v) => JSON.stringify(v.attributes)), values.map((v) => JSON.stringify(v.provenance))],
  );
}

async function pendingCandidate(client: pg.PoolClient, id: string): Promise<Record<string, any>> {
  if (!/^\d+$/.test(id)) throw new MdmError('MDM_INVALID_ARGUMENT', `candidate id must be a number, got ${JSON.stringify(id)}`);
  const { rows } = await client.query('SELECT * FROM mdm.match_candidate WHERE id = $1::bigint', [id]);
  if (rows.length === 0) throw new MdmError('MDM_NOT_FOUND', `match candidate ${id} does not exist`);
  if (rows[0].status !== 'pending') throw new MdmError('MDM_CONFLICT', `match candidate ${id} was already ${rows[0].status}`);
  return rows[0];
}

async function masterOf(client: pg.PoolClient, entityType: string, system: string, sourceId: string): Promise<string> {
  const { rows } = await client.query('SELECT master_id FROM mdm.xref WHERE entity_type = $1 AND system = $2 AND source_id = $3', [entityType, system, sourceId]);
  if (rows.length === 0) throw new MdmError('MDM_NOT_FOUND', `source record ${system}:${sourceId} (${entityType}) is not linked to a golden record`);
  return rows[0].master_id;
}

async function firstMember(client: pg.PoolClient, masterId: string): Promise<[string, string]> {
  const { rows } = await client.query('SELECT system, source_id FROM mdm.xref WHERE master_id = $1 ORDER BY system, source_id LIMIT 1', [masterId]);
  if (rows.length === 0) throw new MdmError('MDM_CONFLICT', `golden record ${masterId} has no source records`);
  return [rows[0].system, rows[0].source_id];
}

/** Steward rulings are stored with the smaller source key on the left. */
type DecisionPair = [string, string, string, string, string];

function decisionPair(entityType: string, a: [string, string], b: [string, string]): DecisionPair {
  const [l, r] = sourceKey(...a) <= sourceKey(...b) ? [a, b] : [b, a];
  return [entityType, l[0], l[1], r[0], r[1]];
}

async function writeDecision(client: pg.PoolClient, pair: DecisionPair, decision: 'always_merge' | 'never_merge', actor: string): Promise<void> {
  await client.query(
    `INSERT INTO mdm.steward_decision (entity_type, left_system, left_id, right_system, right_id, decision, decided_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (entity_type, left_system, left_id, right_system, right_id) DO UPDATE
        SET decision = excluded.decision, decided_by = excluded.decided_by, decided_at = now()`,
    [...pair, decision, actor],
  );
}

const unique = <T>(items: T[]): T[] => [...new Set(items)];
const encodeOffset = (n: number) => Buffer.from(`offset:${n}`).toString('base64url');
function decodeOffset(cursor: string): number {
  const match = /^offset:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString());
  if (!match) throw new MdmError('MDM_INVALID_ARGUMENT', `invalid cursor ${JSON.stringify(cursor)}: pass the endCursor of a previous page`);
  return Number(match[1]);
}

/**
 * What a decision's idempotency key is bound to: the operation, its
 * arguments, the reason and the actor, hashed (sha256 over a canonical JSON
 * with sorted keys), so a replay can tell "the same request again" from "a
 * different request with a reused key".
 */
function requestFingerprint(action: string, request: Record<string, unknown>, context: StewardContext): string {
  const canonical = canonicalJson({ action, request, reason: context.reason ?? null, actor: context.actor });
  return createHash('sha256').update(canonical).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
