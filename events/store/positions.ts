import type pg from 'pg';

/**
 * Each capture's durable position in the MDM store (mdm.capture_position):
 * written only after every change before it is applied or safely in the
 * broker, so a restart resumes there and loses nothing.
 */
export interface PositionStore {
  read<T>(source: string): Promise<T | undefined>;
  write<T>(source: string, position: T): Promise<void>;
  /** Remembers a capture's failure for `concord cdc status` (the position is kept). */
  recordError(source: string, message: string): Promise<void>;
}

export function createPositionStore(pool: pg.Pool): PositionStore {
  return {
    async read<T>(source: string) {
      const { rows } = await pool.query('SELECT position FROM mdm.capture_position WHERE source = $1', [source]);
      return rows[0]?.position as T | undefined;
    },
    async write<T>(source: string, position: T) {
      await pool.query(
        `INSERT INTO mdm.capture_position (source, position) VALUES ($1, $2::jsonb)
         ON CONFLICT (source) DO UPDATE SET position = excluded.position, updated_at = now()`,
        [source, JSON.stringify(position)],
      );
    },
    async recordError(source: string, message: string) {
      await pool.query(
        `INSERT INTO mdm.capture_position (source, position, last_error, last_error_at) VALUES ($1, '{}'::jsonb, $2, now())
         ON CONFLICT (source) DO UPDATE SET last_error = excluded.last_error, last_error_at = now()`,
        [source, message.slice(0, 1000)],
      ).catch(() => {}); // the store itself may be what failed
    },
  };
}
