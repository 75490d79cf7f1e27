import { mkdir, open, readdir, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';

/**
 * The audit log's local append-only spool: where an audit record goes, durably,
 * when the audit database cannot take it, so that the answer it belongs to may
 * still be sent. One JSON record per line; each append is one write of a whole
 * batch followed by fsync before it resolves, so a record the caller was told
 * is spooled survives a crash of the process (and of the machine, as far as
 * the disk honours fsync).
 *
 * Replay seals the current file (renames it `*.replay`, new appends start a
 * fresh file), hands its records to the database and deletes it only after
 * they are stored; records carry their own id, so a replay interrupted after
 * the insert and before the delete inserts nothing twice.
 *
 * Written by hand: no maintained library does "append + fsync + seal and
 * replay" for a single process without a broker, and the file format needs
 * nothing beyond JSON lines.
 */
export interface AuditSpool {
  readonly dir: string;
  /** Appends the records as lines and fsyncs; resolves once they are on disk. */
  append(records: readonly object[]): Promise<void>;
  /** Records waiting in the spool (appended and not yet replayed), as last counted. */
  pending(): number;
  /**
   * Seals the current file and offers every sealed file's records to `store`
   * (in chunks); a file is deleted once all its records are stored. Stops at
   * the first failure, keeping what is left for the next replay.
   */
  replay(store: (records: unknown[]) => Promise<void>, chunkSize?: number): Promise<number>;
  close(): Promise<void>;
}

const CURRENT = 'audit-spool.jsonl';

export async function openAuditSpool(dir: string): Promise<AuditSpool> {
  await mkdir(dir, { recursive: true });
  let handle: FileHandle | undefined;
  let pendingCount = await countPending(dir);
  // One operation at a time: appends and the seal must not interleave.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => {});
    return next;
  };

  async function current(): Promise<FileHandle> {
    handle ??= await open(path.join(dir, CURRENT), 'a');
    return handle;
  }

  async function seal(): Promise<void> {
    if (handle) {
      await handle.close();
      handle = undefined;
    }
    try {
      await rename(path.join(dir, CURRENT), path.join(dir, `audit-spool.${Date.now()}.${process.pid}.replay`));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }

  return {
    dir,
    append: (records) =>
      serial(async () => {
        if (records.length === 0) return;
        const file = await current();
        await file.appendFile(records.map((r) => `${JSON.stringify(r)}\n`).join(''), 'utf8');
        await file.sync();
        pendingCount += records.length;
      }),
    pending: () => pendingCount,
    async replay(store, chunkSize = 500) {
      await serial(seal);
      const sealed = (await readdir(dir)).filter((f) => f.endsWith('.replay')).sort();
      let stored = 0;
      for (const file of sealed) {
        const full = path.join(dir, file);
        const records = parseLines(await readFile(full, 'utf8'));
        for (let i = 0; i < records.length; i += chunkSize) {
          await store(records.slice(i, i + chunkSize));
        }
        await unlink(full);
        stored += records.length;
        pendingCount = Math.max(0, pendingCount - records.length);
      }
      return stored;
    },
    close: () =>
      serial(async () => {
        await handle?.close();
        handle = undefined;
      }),
  };
}

/** Whole lines only: a line cut by a crash mid-write was never acknowledged, so it is not a record. */
function parseLines(text: string): unknown[] {
  const records: unknown[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // the torn tail of a write that never returned
    }
  }
  return records;
}

async function countPending(dir: string): Promise<number> {
  let count = 0;
  for (const file of await readdir(dir)) {
    if (file === CURRENT || file.endsWith('.replay')) count += parseLines(await readFile(path.join(dir, file), 'utf8')).length;
  }
  return count;
}
