import type pg from 'pg';
import type { CapturedChange } from '../change.js';
import type { PositionStore } from '../store/positions.js';
import { erpStreams, type ErpStream, type Watermark } from './erpStreams.js';
import type { CaptureStatus, SourceCapture } from './types.js';

export type { Watermark } from './erpStreams.js';

/** Seconds between two watermark times (UTC text). */
const secondsBetween = (a: string, b: string) => (Date.parse(`${b}Z`) - Date.parse(`${a}Z`)) / 1000;

export interface ErpWatermarkCaptureOptions {
  db: pg.Pool;
  schema: string;
  positions: PositionStore;
  publish: (changes: CapturedChange[]) => Promise<void>;
  pollIntervalMs: number;
  lookbackMs: number;
  batchSize: number;
  onError?: (error: Error) => void;
}

/**
 * ERP change capture by polling (PGlite has no replication protocol): Kafka
 * Connect's JDBC source "timestamp+incrementing" mode on Odoo's write_date
 * and id. Each poll reads the rows after the stored watermark, oldest first,
 * publishes them, and only then stores the new watermark (at-least-once: a
 * crash between the two republishes, and event ids make that harmless).
 * Rows committed late behind the watermark are caught by the lookback.
 * A hard DELETE is invisible to polling (Odoo archives; use logical
 * replication for deletes).
 */
export function createErpWatermarkCapture(options: ErpWatermarkCaptureOptions): SourceCapture & { pollOnce(): Promise<number>; initialise(): Promise<void> } {
  const all = erpStreams(options.schema);
  const marks = new Map<string, Watermark>();
  // Rows captured within the lookback window, id -> write_date, so the lookback skips them.
  const seen = new Map<string, Map<number, string>>(all.map((s) => [s.source, new Map()]));
  const status: CaptureStatus = { source: 'erp', mode: 'watermark', position: null, lagSeconds: 0, lagEvents: 0, captured: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  let stopped = false;

  const eventOf = (stream: ErpStream, row: Record<string, any>): CapturedChange => {
    const updatedAt = `${row.wd}Z`;
    return {
      eventId: `erp:${stream.objectType}:${row.id}:${row.wd}`,
      system: 'ERP', objectType: stream.objectType, entityType: stream.entityType, sourceId: String(row.id),
      op: row.live ? 'upsert' : 'delete', occurredAt: updatedAt, updatedAt,
      ...(row.live ? { record: { ...stream.toRecord(row)!, updatedAt } } : {}),
    };
  };

  async function pollStream(stream: ErpStream): Promise<number> {
    let mark = marks.get(stream.source)!;
    const seenHere = seen.get(stream.source)!;
    const changes: CapturedChange[] = [];
    if (options.lookbackMs > 0) {
      const from = new Date(Date.parse(`${mark.writeDate}Z`) - options.lookbackMs).toISOString().replace('Z', '');
      const late = (await stream.recentUpTo(options.db, from, mark)).filter((r) => seenHere.get(Number(r.id)) !== r.wd);
      if (late.length > 0) {
        const rows = await stream.byIds(options.db, late.map((r) => Number(r.id)));
        for (const row of rows) changes.push(eventOf(stream, row));
      }
    }
    const rows = await stream.changedAfter(options.db, mark, options.batchSize);
    for (const row of rows) changes.push(eventOf(stream, row));
    if (changes.length === 0) return 0;
    await options.publish(changes);
    for (const c of changes) seenHere.set(Number(c.sourceId), c.updatedAt!.slice(0, -1));
    if (rows.length > 0) {
      const last = rows[rows.length - 1];
      mark = { writeDate: last.wd, id: Number(last.id) };
      marks.set(stream.source, mark);
      await options.positions.write(stream.source, mark);
    }
    const horizon = Date.parse(`${mark.writeDate}Z`) - options.lookbackMs;
    for (const [id, wd] of seenHere) if (Date.parse(`${wd}Z`) < horizon) seenHere.delete(id);
    status.captured += changes.length;
    return changes.length;
  }

  // One poll at a time (the timer's and a caller's captureNow), so watermarks only move forward.
  let chain: Promise<unknown> = Promise.resolve();
  function pollOnce(): Promise<number> {
    const run = chain.then(pollAll);
    chain = run.catch(() => {});
    return run;
  }

  async function pollAll(): Promise<number> {
    let total = 0;
    for (const stream of all) total += await pollStream(stream);
    status.position = Object.fromEntries(all.map((s) => [s.source, marks.get(s.source)]));
    return total;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = (async () => {
        try {
          // A full batch means more is waiting: poll again at once.
          while (!stopped && (await pollOnce()) >= options.batchSize);
          status.lastError = undefined;
        } catch (error) {
          status.lastError = (error as Error).message;
          options.onError?.(error as Error);
        } finally {
          schedule();
        }
      })();
    }, options.pollIntervalMs);
  };

  return {
    name: 'erp',
    /** Loads the stored watermarks; a stream with none starts at the newest row now (the initial load read the rest). */
    async initialise() {
      for (const stream of all) {
        const stored = await options.positions.read<Watermark>(stream.source);
        const mark = stored ?? await stream.head(options.db);
        marks.set(stream.source, mark);
        if (!stored) {
          await options.positions.write(stream.source, mark);
          // A fresh start: the load read the rows up to here, so the lookback has nothing to catch up on yet.
          // (After a restart the lookback re-reads its window: at-least-once, absorbed by event ids.)
          const from = new Date(Date.parse(`${mark.writeDate}Z`) - options.lookbackMs).toISOString().replace('Z', '');
          for (const r of await stream.recentUpTo(options.db, from, mark)) seen.get(stream.source)!.set(Number(r.id), r.wd);
        }
      }
    },
    pollOnce,
    async start() {
      if (marks.size === 0) await this.initialise();
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    status: () => ({ ...status }),
    /** Measures the lag (the newest row vs the watermark); on request only, to keep polls to their reads. */
    async refresh() {
      const heads = await Promise.all(all.map((s) => s.head(options.db)));
      status.lagSeconds = Math.max(0, ...all.map((s, i) => secondsBetween((marks.get(s.source) ?? heads[i]).writeDate, heads[i].writeDate)));
    },
  };
}
