import type pg from 'pg';
import type { SourceRecord } from '../types.js';
import { validateSourceRecord, type RuleViolation } from '../validate/index.js';
import { goldenChangesBetween, type GoldenChange } from './goldenChanges.js';
import { stableStringify } from './json.js';
import { matchManyIn, newMatchOneTransactionCache, type MatchOneTransactionCache } from './matchMany.js';
import { matchOneIn } from './matchOne.js';
import { removeSourceRecordIn } from './removeOne.js';
import { readStoredCopies, storedCopyKey } from './sourceRecords.js';

/** One captured source change, as the change-capture consumer hands it to the MDM. */
export interface SourceChange {
  /** Unique per change; a second change with the same id is a redelivery. */
  eventId: string;
  entityType: string;
  system: string;
  sourceId: string;
  op: 'upsert' | 'delete';
  /** The record as the source holds it now (upsert). */
  record?: SourceRecord;
  /** When the source changed it; an older change than the one stored is stale. */
  updatedAt?: string | null;
}

export interface AppliedSourceChange {
  /**
   * applied: the store changed (history written); unchanged: the record's
   * mapped values are the ones stored; stale: an older copy than the stored
   * one; absent: a delete of a record the store never had; quarantined: the
   * record broke a validation rule and was not matched; replayed: the
   * event id was applied before (nothing done now; `goldenChanges` are the
   * ones it made then, for publishing again).
   */
  status: 'applied' | 'unchanged' | 'stale' | 'absent' | 'replayed' | 'quarantined';
  goldenChanges: GoldenChange[];
  historyId?: string;
  masterId?: string;
  /** The rules the record broke (status quarantined). */
  violations?: RuleViolation[];
  /** Quarantine entries this change released (the source corrected the record, or it is gone). */
  released?: number;
}

/**
 * Applies one source change to the MDM store, exactly once in effect: one
 * transaction holds the steward lock, records the event id in
 * mdm.processed_event (a redelivered event finds it and changes nothing),
 * and runs the incremental matcher (upsert) or takes the record out of its
 * golden record (delete). Returns the golden-record changes it made, read
 * off the state before and after.
 */
export async function applySourceChange(pool: pg.Pool, change: SourceChange, options: { actor?: string } = {}): Promise<AppliedSourceChange> {
  return (await applySourceChanges(pool, [change], options))[0];
}

/**
 * Applies several source changes, in the order given, in one transaction
 * under one acquisition of the steward lock, each with its own history event
 * and processed_event row. Valid upserts are matched set-wise (matchManyIn:
 * a few statements for all of them, each decided as the incremental matcher
 * decides one record, records that link to each other one after the other);
 * deletes, records that break a validation rule, stale copies and a record's
 * second change in the batch are applied one at a time, after everything
 * before them. Batching saves the per-change BEGIN, lock, commit (a WAL
 * flush) and round trips, which is what a change costs under load. All or
 * nothing: if one change fails, none is applied (the caller applies them
 * one by one to find it). An event id seen before (stored, or earlier in
 * the same batch) is a replay.
 */
export async function applySourceChanges(pool: pg.Pool, changes: SourceChange[], options: { actor?: string } = {}): Promise<AppliedSourceChange[]> {
  if (changes.length === 0) return [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`);
    // Every event id of the batch in one round trip: those applied before are replays.
    const seen = new Map<string, { golden_changes: GoldenChange[]; history_id: string | null }>(
      (await client.query('SELECT event_id, golden_changes, history_id::text AS history_id FROM mdm.processed_event WHERE event_id = ANY($1::text[])', [changes.map((c) => c.eventId)]))
        .rows.map((r) => [r.event_id as string, r]),
    );
    const results: AppliedSourceChange[] = new Array(changes.length);
    const cache = newMatchOneTransactionCache();
    const stored = await readStoredCopies(client, changes.filter((c) => !seen.has(c.eventId)));
    // Valid upserts waiting to be matched set-wise, and unchanged ones waiting for their quarantine release.
    let pending: number[] = [];
    let unchanged: number[] = [];
    const flush = async () => {
      const released = await releaseQuarantineOf(client, [...pending, ...unchanged].map((i) => changes[i]));
      for (const i of unchanged) results[i].released = released.get(storedCopyKey(changes[i])) ?? 0;
      const byType = new Map<string, number[]>();
      for (const i of pending) (byType.get(changes[i].entityType) ?? byType.set(changes[i].entityType, []).get(changes[i].entityType)!).push(i);
      for (const group of byType.values()) {
        const matched = await matchManyIn(client, group.map((i) => changes[i].record!), { actors: group.map((i) => options.actor ?? `cdc:${changes[i].system}`), cache });
        group.forEach((i, n) => {
          results[i] = {
            status: 'applied', goldenChanges: goldenChangesBetween(matched[n].snapshots.before, matched[n].snapshots.after),
            historyId: matched[n].historyId, masterId: matched[n].masterId, released: released.get(storedCopyKey(changes[i])) ?? 0,
          };
        });
      }
      pending = []; unchanged = [];
    };
    const firstOf = new Map<string, number>();
    const handled = new Set<string>();
    for (const [i, change] of changes.entries()) {
      const before = seen.get(change.eventId);
      if (before) {
        results[i] = { status: 'replayed', goldenChanges: before.golden_changes ?? [], ...(before.history_id ? { historyId: before.history_id } : {}) };
        continue;
      }
      if (firstOf.has(change.eventId)) continue; // a repeat in the batch: the first one's replay, filled in below
      firstOf.set(change.eventId, i);
      const key = storedCopyKey(change);
      const copy = stored.get(key);
      const setWise = !handled.has(key) && change.op === 'upsert' && change.record !== undefined && !isStale(copy, change) && validateSourceRecord(change.record).length === 0;
      handled.add(key);
      if (setWise && copy?.master_id && stableStringify(copy.attributes) === stableStringify(change.record!.attributes)) {
        results[i] = { status: 'unchanged', goldenChanges: [], masterId: copy.master_id };
        unchanged.push(i);
      } else if (setWise) {
        pending.push(i);
      } else {
        // Deletes, quarantine, stale copies and a record's second change in the batch: one at a time, after what came before.
        await flush();
        results[i] = await applyIn(client, change, options.actor ?? `cdc:${change.system}`, cache);
      }
    }
    await flush();
    for (const [i, change] of changes.entries()) {
      const first = firstOf.get(change.eventId);
      if (first !== undefined && first !== i) {
        results[i] = { status: 'replayed', goldenChanges: results[first].goldenChanges, ...(results[first].historyId ? { historyId: results[first].historyId } : {}) };
      }
    }
    const fresh = [...firstOf.values()].map((i) => ({ change: changes[i], result: results[i] }));
    if (fresh.length > 0) {
      await client.query(
        `INSERT INTO mdm.processed_event (event_id, entity_type, system, source_id, outcome, history_id, golden_changes)
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::jsonb[])`,
        [
          fresh.map((f) => f.change.eventId), fresh.map((f) => f.change.entityType), fresh.map((f) => f.change.system), fresh.map((f) => f.change.sourceId),
          fresh.map((f) => f.result.status), fresh.map((f) => f.result.historyId ?? null), fresh.map((f) => JSON.stringify(f.result.goldenChanges)),
        ],
      );
    }
    await client.query('COMMIT');
    return results;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

async function applyIn(client: pg.PoolClient, change: SourceChange, actor: string, cache: MatchOneTransactionCache): Promise<AppliedSourceChange> {
  const stored = (await client.query(
    `SELECT s.attributes, s.source_updated_at, x.master_id FROM mdm.source_record s
       LEFT JOIN mdm.xref x ON x.entity_type = s.entity_type AND x.system = s.system AND x.source_id = s.source_id
      WHERE s.entity_type = $1 AND s.system = $2 AND s.source_id = $3`,
    [change.entityType, change.system, change.sourceId],
  )).rows[0];
  const updatedAt = change.record?.updatedAt ?? change.updatedAt ?? null;
  // Changes to one record arrive in order, but a redelivery after a restart can bring an older copy back.
  if (stored?.source_updated_at && updatedAt && new Date(updatedAt).getTime() < new Date(stored.source_updated_at).getTime()) {
    return { status: 'stale', goldenChanges: [], masterId: stored.master_id ?? undefined };
  }
  if (change.op === 'delete') {
    const released = await releaseQuarantine(client, change, []);
    const removed = await removeSourceRecordIn(client, change.entityType, change.system, change.sourceId, { actor });
    if (removed.outcome === 'absent') return { status: 'absent', goldenChanges: [], released };
    return { status: 'applied', goldenChanges: goldenChangesBetween(removed.snapshots!.before, removed.snapshots!.after), historyId: removed.historyId, masterId: removed.masterId };
  }
  if (!change.record) throw new Error(`source change ${change.eventId} is an upsert without a record`);
  // Validation at ingestion: a record that breaks a rule is kept out of matching, with the rule, until its source corrects it.
  const violations = validateSourceRecord(change.record);
  const released = await releaseQuarantine(client, change, violations.map((v) => v.rule));
  if (violations.length > 0) {
    for (const v of violations) {
      await client.query(
        `INSERT INTO mdm.quarantined_record (entity, source_system, source_id, rule_code, message, raw_record, source_event_id)
         VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
         ON CONFLICT (entity, source_system, source_id, rule_code) WHERE released_at IS NULL
         DO UPDATE SET message = excluded.message, raw_record = excluded.raw_record, source_event_id = excluded.source_event_id`,
        [change.entityType, change.system, change.sourceId, v.rule, v.message, JSON.stringify(change.record), change.eventId],
      );
    }
    return { status: 'quarantined', goldenChanges: [], violations, released, ...(stored?.master_id ? { masterId: stored.master_id } : {}) };
  }
  if (stored?.master_id && stableStringify(stored.attributes) === stableStringify(change.record.attributes)) {
    return { status: 'unchanged', goldenChanges: [], masterId: stored.master_id, released };
  }
  const matched = await matchOneIn(client, change.record, { actor, cache });
  return {
    status: 'applied', goldenChanges: goldenChangesBetween(matched.snapshots.before, matched.snapshots.after),
    historyId: matched.historyId, masterId: matched.masterId, released,
  };
}

/** Closes the record's open quarantine entries whose rule it no longer breaks; answers how many. */
async function releaseQuarantine(client: pg.PoolClient, change: SourceChange, stillBroken: string[]): Promise<number> {
  const { rowCount } = await client.query(
    `UPDATE mdm.quarantined_record SET released_at = now()
      WHERE entity = $1 AND source_system = $2 AND source_id = $3 AND released_at IS NULL AND NOT (rule_code = ANY($4::text[]))`,
    [change.entityType, change.system, change.sourceId, stillBroken],
  );
  return rowCount ?? 0;
}

/** Whether the change carries an older copy than the one stored (a redelivery after a restart can bring one back). */
function isStale(stored: Record<string, any> | undefined, change: SourceChange): boolean {
  const updatedAt = change.record?.updatedAt ?? change.updatedAt ?? null;
  return Boolean(stored?.source_updated_at && updatedAt && new Date(updatedAt).getTime() < new Date(stored.source_updated_at).getTime());
}

/** releaseQuarantine for valid records (they break no rule now): every open entry of each closes; answers how many per storedCopyKey. */
async function releaseQuarantineOf(client: pg.PoolClient, changes: SourceChange[]): Promise<Map<string, number>> {
  const released = new Map<string, number>();
  if (changes.length === 0) return released;
  const { rows } = await client.query(
    `UPDATE mdm.quarantined_record q SET released_at = now()
       FROM unnest($1::text[], $2::text[], $3::text[]) AS t(entity, system, source_id)
      WHERE q.entity = t.entity AND q.source_system = t.system AND q.source_id = t.source_id AND q.released_at IS NULL
      RETURNING q.entity, q.source_system, q.source_id`,
    [changes.map((c) => c.entityType), changes.map((c) => c.system), changes.map((c) => c.sourceId)],
  );
  for (const r of rows) {
    const key = storedCopyKey({ entityType: r.entity, system: r.source_system, sourceId: r.source_id });
    released.set(key, (released.get(key) ?? 0) + 1);
  }
  return released;
}
