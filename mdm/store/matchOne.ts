import type pg from 'pg';
import type { SourceRecord } from '../types.js';
import { matchManyIn, type MatchOneChange, type MatchOneResult, type MatchOneTransactionCache } from './matchMany.js';

export { newMatchOneTransactionCache, type MatchOneChange, type MatchOneResult, type MatchOneTransactionCache } from './matchMany.js';

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
 * matchOne inside a transaction the caller opened and holds the steward lock
 * in (`pg_advisory_xact_lock(hashtext('concord.mdm.steward'))`), so a caller
 * can write more in the same transaction (the change-capture consumer records
 * the source event it applied, for exactly-once effect). The set-wise
 * matcher with one record: the same decision, the same writes.
 */
export async function matchOneIn(client: pg.PoolClient, input: SourceRecord, options: { actor?: string; cache?: MatchOneTransactionCache } = {}): Promise<MatchOneChange> {
  return (await matchManyIn(client, [input], options))[0];
}
