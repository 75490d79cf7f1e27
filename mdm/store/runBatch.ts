import type pg from 'pg';
import { pairKey } from '../cluster/index.js';
import { entityConfig } from '../entities/index.js';
import type { EntityConfig } from '../entities/types.js';
import { matchRecords, type MatchStep } from '../match/index.js';
import type { MatchDecision } from '../types.js';
import { splitSourceKey } from '../types.js';
import { applyClusters, type ApplySummary } from './applyClusters.js';
import { writeBlockKeys } from './blockKeys.js';
import { chunks } from './json.js';
import { readSourceRecords } from './sourceRecords.js';
import { readStewardRulings } from './stewardDecisions.js';
import { writeTermFrequencies } from './termFrequencies.js';

export interface BatchMatchOptions {
  actor?: string;
  /** 'model' (Fellegi-Sunter), 'deterministic', or 'auto': the model from 100 records up, the exact rules below. @default 'auto' */
  mode?: 'model' | 'deterministic' | 'auto';
  /** 'load' for the first load, 'match' for later runs (the history action). @default 'match' */
  action?: 'load' | 'match';
  reason?: string;
  onProgress?: (step: MatchStep | 'write', done: number, total: number) => void;
}

export interface BatchSummary extends ApplySummary {
  entityType: string;
  records: number;
  candidatePairs: number;
  autoMerged: number;
  queued: number;
  mode: 'model' | 'deterministic';
  durationMs: number;
}

/** Below this many records EM has too little to learn from; the exact rules decide. */
const MODEL_MIN_RECORDS = 100;

/**
 * A batch match over every stored source record of one entity type, obeying
 * the stewards' rulings, then applied in ONE transaction: golden records,
 * xref, the review queue, blocking keys, the model and history change
 * together or not at all (a batch killed half-way leaves the previous state).
 * The term frequencies are stored too, for incremental matching (matchOne).
 */
export async function runBatchMatch(pool: pg.Pool, entityType: string, options: BatchMatchOptions = {}): Promise<BatchSummary> {
  const started = performance.now();
  const config = entityConfig(entityType);
  const records = await readSourceRecords(pool, config);
  const rulings = await readStewardRulings(pool, entityType);
  const mode = options.mode === undefined || options.mode === 'auto' ? (records.length >= MODEL_MIN_RECORDS ? 'model' : 'deterministic') : options.mode;
  const result = matchRecords(records, config, { mode, cannotLink: rulings.cannotLink, mustLink: rulings.mustLink, onProgress: options.onProgress });
  options.onProgress?.('write', 0, 1);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const summary = await applyClusters(client, config, result.records, result.clusters, {
      actor: options.actor ?? 'system',
      action: options.action ?? 'match',
      reason: options.reason,
      onWrite: (done, total) => options.onProgress?.('write', Math.min(done, total - 1), total),
      details: { mode, candidatePairs: result.candidatePairs, autoMerged: result.autoMerged, queued: result.queued },
    });
    const clusterOf = new Map<string, number>();
    result.clusters.forEach((c, i) => c.members.forEach((m) => clusterOf.set(m, i)));
    const open = result.decisions.filter((d) => d.outcome === 'review' && clusterOf.get(d.left) !== clusterOf.get(d.right));
    await queueCandidates(client, config, open);
    await writeBlockKeys(client, config, result.records);
    // The value counts behind the term-frequency adjustment, so matchOne weighs values as this batch did.
    await writeTermFrequencies(client, config, result.records);
    if (result.model) {
      await client.query(
        `INSERT INTO mdm.model (entity_type, model) VALUES ($1, $2::jsonb)
         ON CONFLICT (entity_type) DO UPDATE SET model = excluded.model, trained_at = now()`,
        [entityType, JSON.stringify(result.model)],
      );
    }
    await client.query('COMMIT');
    options.onProgress?.('write', 1, 1);
    return {
      entityType, records: records.length, candidatePairs: result.candidatePairs, autoMerged: result.autoMerged,
      queued: open.length, mode, durationMs: Math.round(performance.now() - started), ...summary,
    };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Puts pairs between the thresholds on the steward's queue. A pair already
 * decided (accepted or rejected) keeps its decision; a pending one gets the
 * new score and explanation.
 */
export async function queueCandidates(client: pg.PoolClient | pg.Pool, config: EntityConfig, decisions: MatchDecision[]): Promise<void> {
  const rows = decisions.map((d) => {
    const [a, b] = d.left < d.right ? [d.left, d.right] : [d.right, d.left];
    return { l: splitSourceKey(a), r: splitSourceKey(b), score: d.probability, explanation: JSON.stringify({ weight: d.weight, contributions: d.contributions }), key: pairKey(a, b) };
  });
  for (const chunk of chunks(rows, 2000)) {
    await client.query(
      `INSERT INTO mdm.match_candidate (entity_type, left_system, left_id, right_system, right_id, score, explanation)
       SELECT $1, t.ls, t.li, t.rs, t.ri, t.score, t.explanation::jsonb
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::float8[], $7::text[]) AS t(ls, li, rs, ri, score, explanation)
       ON CONFLICT (entity_type, left_system, left_id, right_system, right_id) DO UPDATE
          SET score = excluded.score, explanation = excluded.explanation
        WHERE mdm.match_candidate.status = 'pending'`,
      [config.entityType, chunk.map((r) => r.l.system), chunk.map((r) => r.l.sourceId), chunk.map((r) => r.r.system), chunk.map((r) => r.r.sourceId), chunk.map((r) => r.score), chunk.map((r) => r.explanation)],
    );
  }
}
