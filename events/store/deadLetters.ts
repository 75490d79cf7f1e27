import type pg from 'pg';
import type { CapturedChange } from '../change.js';
import type { DeadLetterSink } from '../broker/types.js';

/** Dead letters of the in-process pipeline, kept in the MDM store (mdm.dead_letter_event) with their reason. */
export function storeDeadLetters(pool: pg.Pool, subjectOf: (change: CapturedChange) => string): DeadLetterSink {
  return async (change, reason, deliveries) => {
    await pool.query(
      `INSERT INTO mdm.dead_letter_event (event_id, subject, payload, reason, deliveries) VALUES ($1, $2, $3::jsonb, $4, $5)
       ON CONFLICT (event_id) DO UPDATE SET reason = excluded.reason, deliveries = mdm.dead_letter_event.deliveries + excluded.deliveries, dead_at = now()`,
      [change.eventId, subjectOf(change), JSON.stringify(change), reason, deliveries],
    );
  };
}
