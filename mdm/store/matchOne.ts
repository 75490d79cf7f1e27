import type pg from 'pg';
import { entityConfig } from '../entities/index.js';
import { deterministicEdges } from '../match/deterministic.js';
import { scorePair, type FellegiSunterModel } from '../score/index.js';
import { standardiseRecord } from '../standardise/index.js';
import type { MatchDecision, SourceRecord, StandardisedRecord } from '../types.js';
import { sourceKey } from '../types.js';
import { newMasterId } from './applyClusters.js';
import { recordBlockKeys, writeBlockKeys } from './blockKeys.js';
import { appendHistory } from './history.js';
import { queueCandidates } from './runBatch.js';
import { takeSnapshot } from './snapshot.js';
import { upsertSourceRecords, toSourceRecord } from './sourceRecords.js';
import { resurvive } from './stewardship.js';

export interface MatchOneResult {
  masterId: string;
  outcome: 'created' | 'linked' | 'unchanged';
  /** The scored candidates, best first (merge and review outcomes only). */
  decisions: MatchDecision[];
  queued: number;
}

/** Candidates fetched per incoming record: blocks are small, so this is a safety cap. @default 500 */
const MAX_CANDIDATES = 500;

/**
 * Incremental matching: one new or changed source record is standardised,
 * stored, blocked against the stored records through mdm.block_key, scored
 * with the last batch's model, and linked to the best master above the merge
 * threshold (else a new master); pairs between the thresholds are queued.
 * Steward rulings hold: a never-merge pair is not scored. A record already
 * sharing its master with others stays there (a steward unmerges it).
 * One transaction.
 *
 * Term-frequency adjustment is not applied here (the batch's value counts
 * are not stored), so scores near a threshold can differ slightly from a batch.
 */
export async function matchOne(pool: pg.Pool, input: SourceRecord, options: { actor?: string } = {}): Promise<MatchOneResult> {
  const config = entityConfig(input.entityType);
  const record = standardiseRecord(input, config.attributes);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`);
    await upsertSourceRecords(client, [record]);
    await writeBlockKeys(client, config, [record]);
    const { rows: candidateRows } = await client.query(
      `SELECT s.system, s.source_id, s.attributes, s.source_updated_at, x.master_id
         FROM (SELECT DISTINCT system, source_id FROM mdm.block_key
                WHERE entity_type = $1 AND block_key = ANY($2::text[]) AND NOT (system = $3 AND source_id = $4) LIMIT $5) b
         JOIN mdm.source_record s ON s.entity_type = $1 AND s.system = b.system AND s.source_id = b.source_id
         JOIN mdm.xref x ON x.entity_type = $1 AND x.system = b.system AND x.source_id = b.source_id`,
      [config.entityType, recordBlockKeys(record, config), record.system, record.sourceId, MAX_CANDIDATES],
    );
    const never = new Set((await client.query(
      `SELECT left_system || ':' || left_id AS l, right_system || ':' || right_id AS r FROM mdm.steward_decision
        WHERE entity_type = $1 AND decision = 'never_merge'
          AND ((left_system = $2 AND left_id = $3) OR (right_system = $2 AND right_id = $3))`,
      [config.entityType, record.system, record.sourceId],
    )).rows.map((r) => (r.l === record.key ? r.r : r.l)));
    const candidates = candidateRows
      .filter((r) => !never.has(sourceKey(r.system, r.source_id)))
      .map((r) => ({ record: standardiseRecord(toSourceRecord(config.entityType, r), config.attributes), masterId: r.master_id as string }));

    const modelRow = (await client.query('SELECT model FROM mdm.model WHERE entity_type = $1', [config.entityType])).rows[0];
    const decisions = scoreCandidates(record, candidates.map((c) => c.record), modelRow?.model as FellegiSunterModel | undefined, config);
    const masterOfKey = new Map(candidates.map((c) => [c.record.key, c.masterId]));
    const current = (await client.query(
      'SELECT master_id FROM mdm.xref WHERE entity_type = $1 AND system = $2 AND source_id = $3', [config.entityType, record.system, record.sourceId],
    )).rows[0]?.master_id as string | undefined;
    const currentSize = current ? Number((await client.query('SELECT count(*) FROM mdm.xref WHERE master_id = $1', [current])).rows[0].count) : 0;
    const best = decisions.find((d) => d.outcome === 'merge');
    let target: string;
    let outcome: MatchOneResult['outcome'];
    if (current && (currentSize > 1 || !best || masterOfKey.get(best.right) === current)) {
      target = current; outcome = 'unchanged';
    } else if (best) {
      target = masterOfKey.get(best.right)!; outcome = 'linked';
    } else {
      target = await freshMasterId(client, config, record.key); outcome = 'created';
    }
    const affected = [...new Set([target, ...(current ? [current] : [])])];
    const scope = { masterIds: affected, decisionPairs: [], candidateIds: [] };
    const before = await takeSnapshot(client, scope);
    if (outcome === 'created') await client.query('INSERT INTO mdm.golden_record (master_id, entity_type) VALUES ($1, $2)', [target, config.entityType]);
    await client.query(
      `INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (entity_type, system, source_id) DO UPDATE SET master_id = excluded.master_id, score = excluded.score, rule = excluded.rule, linked_at = now()
       WHERE mdm.xref.master_id IS DISTINCT FROM excluded.master_id`,
      [config.entityType, record.system, record.sourceId, target, outcome === 'linked' ? best!.probability : 1, outcome === 'linked' ? 'incremental' : 'singleton'],
    );
    if (current && current !== target) {
      await client.query('UPDATE mdm.golden_record SET active = false, version = version + 1, updated_at = now() WHERE master_id = $1', [current]);
    }
    await resurvive(client, config.entityType, target);
    const review = decisions.filter((d) => d.outcome === 'review' || (d.outcome === 'merge' && masterOfKey.get(d.right) !== target));
    await queueCandidates(client, config, review.map((d) => ({ ...d, outcome: 'review' as const })));
    const after = await takeSnapshot(client, scope);
    await appendHistory(client, {
      actor: options.actor ?? 'system', action: 'update', reason: `incremental match of ${record.key}: ${outcome}`,
      masterIds: affected, before, after: { ...after, result: [target] },
    });
    await client.query('COMMIT');
    return { masterId: target, outcome, decisions, queued: review.length };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * The record's master id for a new golden record: the first of its hashed
 * ids not already taken, checked by primary key (never a scan of every
 * master, which at a million masters cost more than the whole match).
 */
async function freshMasterId(client: pg.PoolClient, config: ReturnType<typeof entityConfig>, key: string): Promise<string> {
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

/** Scores one record against its candidates (model, else the deterministic rules), best first, dropping the distinct. */
function scoreCandidates(record: StandardisedRecord, candidates: StandardisedRecord[], model: FellegiSunterModel | undefined, config: ReturnType<typeof entityConfig>): MatchDecision[] {
  if (!model) {
    // The record comes first, so every group it is in links from it.
    const linked = new Set(deterministicEdges([record, ...candidates], config).filter((e) => e.left === record.key).map((e) => e.right));
    return candidates.filter((c) => linked.has(c.key))
      .map((c) => ({ left: record.key, right: c.key, weight: 100, probability: 1, outcome: 'merge' as const, contributions: [] }));
  }
  return candidates
    .map((c) => scorePair(record, c, model, config, new Map()))
    .filter((d) => d.outcome !== 'distinct')
    .sort((a, b) => b.weight - a.weight);
}
