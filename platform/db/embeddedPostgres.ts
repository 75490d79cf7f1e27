import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { Worker } from 'node:worker_threads';
import { ConnectionStatements } from './sessionStatementNames.js';

export interface EmbeddedPostgres {
  /** A `postgres://` URL that `pg` connects to. */
  connectionString: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** @default 0: a free port the OS picks */
  port?: number;
  /** @default 127.0.0.1 */
  host?: string;
  /** Where PGlite keeps its files; unset: in memory. */
  dataDir?: string;
  /**
   * Where PGlite runs. `worker` (the default): a thread of its own, so SQL
   * executing in WebAssembly and PGlite's garbage never hold up the event
   * loop and heap of the services that query it (ADR 0020). `caller`: this
   * thread, as before 2026-12-04 (the gateway benchmark's comparison).
   */
  thread?: 'worker' | 'caller';
}

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM, in this process) served
 * over the Postgres wire protocol by pglite-socket, so every service uses the
 * same `pg` code it would use against a real server.
 *
 * Caveat carried by every caller: all connections share ONE Postgres session,
 * so no session SET, and transactions kept short (an open transaction on one
 * connection stalls the others). Named prepared statements work: each
 * connection's names are scoped to it (platform/db/sessionStatementNames.ts).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions = {}): Promise<EmbeddedPostgres> {
  const { thread = 'worker', ...serving } = options;
  return thread === 'caller' ? serveEmbeddedPostgres(serving) : startEmbeddedPostgresThread(serving);
}

/** What the database's thread posts (platform/db/embeddedPostgresWorker.ts). */
export type EmbeddedPostgresThreadReport =
  | { kind: 'serving'; connectionString: string }
  | { kind: 'failed'; message: string; code?: string; stack?: string }
  | { kind: 'stopped'; error?: { message: string; stack?: string } };

/** How long an in-memory database's thread may take to wind down before it is ended outright. */
const IN_MEMORY_STOP_GRACE_MS = 10_000;

/**
 * PGlite in a worker thread (platform/db/embeddedPostgresWorker.ts). The
 * worker loads TypeScript through tsx's API itself: a worker started with
 * `--import tsx` in its execArgv does not get the loader before its entry
 * module on Node 20 (ERR_UNKNOWN_FILE_EXTENSION).
 */
async function startEmbeddedPostgresThread(options: Omit<EmbeddedPostgresOptions, 'thread'>): Promise<EmbeddedPostgres> {
  const entry = new URL('./embeddedPostgresWorker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, execArgv: [], workerData: options, name: 'concord-embedded-postgres' });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  let onReport: (report: EmbeddedPostgresThreadReport) => void = () => {};
  let onFailure: (error: Error) => void = () => {};
  let stopRequested = false;
  worker.on('message', (report: EmbeddedPostgresThreadReport) => onReport(report));
  // A crash of the database's thread must never take the services down with an unhandled 'error'
  // event: before it serves it fails the start; after, their queries fail on the closed connections
  // with the coded errors of a database that went away.
  worker.on('error', (error) => onFailure(error));
  void exited.then((code) => {
    if (!stopRequested) onFailure(new Error(`its thread exited (code ${code})`));
  });

  const serving = await new Promise<{ connectionString: string } | { error: Error }>((resolve) => {
    onReport = (report) => {
      if (report.kind === 'serving') resolve({ connectionString: report.connectionString });
      else if (report.kind === 'failed') resolve({ error: Object.assign(new Error(report.message), { code: report.code, stack: report.stack }) });
    };
    onFailure = (error) => resolve({ error });
  });
  if ('error' in serving) {
    stopRequested = true;
    await worker.terminate();
    const code = (serving.error as NodeJS.ErrnoException).code;
    // One line and the cause's code, which `concord start` prints (started twice: EADDRINUSE); the stack stays in `cause`.
    throw Object.assign(new Error(`the embedded PostgreSQL (PGlite) did not start: ${serving.error.message}`, { cause: serving.error }), code ? { code } : {});
  }
  onFailure = (error) => console.error('[embedded-postgres] the database thread failed; queries to it will fail:', error);

  let stopping: Promise<void> | undefined;
  return {
    connectionString: serving.connectionString,
    stop() {
      stopping ??= (async () => {
        stopRequested = true;
        const stopped = new Promise<EmbeddedPostgresThreadReport & { kind: 'stopped' }>((resolve) => {
          onReport = (report) => {
            if (report.kind === 'stopped') resolve(report);
          };
        });
        worker.postMessage('stop');
        // An in-memory database whose thread does not wind down (a statement still running) is ended
        // after a grace period: nothing is lost. One with a data directory is waited for: ending PGlite
        // in the middle of a write could leave its files to recover.
        const grace = options.dataDir === undefined
          ? setTimeout(() => {
            console.error(`[embedded-postgres] the database thread did not stop within ${IN_MEMORY_STOP_GRACE_MS} ms; ending it`);
            void worker.terminate();
          }, IN_MEMORY_STOP_GRACE_MS)
          : undefined;
        const report = await Promise.race([stopped, exited.then(() => undefined)]);
        await exited;
        clearTimeout(grace);
        if (report?.error) throw Object.assign(new Error(`the embedded PostgreSQL (PGlite) did not stop cleanly: ${report.error.message}`), { stack: report.error.stack });
      })();
      return stopping;
    },
  };
}

/** Serves PGlite on this thread (the worker's entry calls it; `thread: 'caller'` too). */
export async function serveEmbeddedPostgres(options: Omit<EmbeddedPostgresOptions, 'thread'> = {}): Promise<EmbeddedPostgres> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    extensions: { pg_trgm, fuzzystrmatch, unaccent },
  });
  await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch; CREATE EXTENSION IF NOT EXISTS unaccent;');
  const host = options.host ?? '127.0.0.1';
  // Port 0 asks the OS for a free port; pglite-socket reports the bound one.
  const server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: 64 });
  keepExtendedQueriesWhole(server, db);
  await server.start();
  const conn = server.getServerConn(); // "host:port"
  const port = Number(conn.split(':').pop());
  return {
    connectionString: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

interface QueuedMessage {
  handlerId: number;
  message: Uint8Array;
  /** The type of the last wire message in `message` (a gathered sequence holds several). */
  lastType: number;
  resolve(bytes: number): void;
  reject(error: unknown): void;
  onData(data: Uint8Array): void;
}

interface QueryQueue {
  queue: QueuedMessage[];
  processing: boolean;
  lastHandlerId: number | null;
  enqueue(handlerId: number, message: Uint8Array, onData: (data: Uint8Array) => void): Promise<number>;
  processQueue(): Promise<void>;
  clearQueueForHandler(handlerId: number): void;
}

// Wire message types (first byte). Parse, Bind, Describe, Execute, Close continue an extended-query
// sequence and are owed no reply until a Sync or Flush; Sync, simple Query and Terminate end it.
const GATHERED_UNTIL_FLUSH = new Set([0x50, 0x42, 0x44, 0x45, 0x43]);
const FLUSH = 0x48;
const SYNC = 0x53;
const ENDS_SEQUENCE = new Set([SYNC, 0x51, 0x58]);
/** pglite-socket numbers its connections from 1. */
const CLEAN_UP_HANDLER = 0;

/**
 * pglite-socket 0.2.17 queues each wire message on its own and, outside a
 * transaction, takes them from all connections in arrival order. One
 * connection's Parse/Bind/Execute/Sync can then interleave with another's
 * on the one shared session, and the unnamed statement or portal of one is
 * overwritten by the other: a query silently answers another query's rows
 * (seen as a golden-record page coming back empty while the change capture
 * polled). This replaces the queue's scheduling so a connection that has
 * begun an extended-query sequence keeps the session until its Sync, as a
 * real server's per-connection sessions would. It also clears `processing`
 * when a message fails, which the original leaves set (stalling every
 * connection after one protocol error).
 *
 * And it runs a sequence as one: the original hands PGlite each message on
 * its own and writes each reply as it comes (ParseComplete, BindComplete,
 * RowDescription, the rows, ReadyForQuery: five queue turns, five calls
 * into the WebAssembly and five segments on a no-delay socket for one `pg`
 * query: 391–410 µs of CPU for a three-row lookup, 207–224 µs this way,
 * ADR 0020). Parse, Bind, Describe, Execute and Close are gathered per
 * connection until its next Sync, Flush or simple query — when PostgreSQL
 * itself would flush its output — and the whole sequence goes to PGlite in
 * one call (its backend loop reads every message in the buffer, skipping to
 * the Sync after an error as a server does) and its reply to the socket in
 * one write. A Flush mid-sequence keeps the session for that connection
 * until its Sync, since its next messages use the unnamed statement.
 */
function keepExtendedQueriesWhole(server: PGLiteSocketServer, db: PGlite): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue;
  let holder: number | null = null;
  // Messages gathered per connection until its sequence flushes (see above).
  const gathered = new Map<number, Uint8Array[]>();
  // Each connection's named statements, scoped to it on the one session (sessionStatementNames.ts).
  const statements = new Map<number, ConnectionStatements>();
  queue.enqueue = function enqueue(this: QueryQueue, handlerId, received, onData) {
    let scoped = statements.get(handlerId);
    if (!scoped) statements.set(handlerId, (scoped = new ConnectionStatements(handlerId)));
    const message = scoped.scope(received);
    const type = message[0];
    if (GATHERED_UNTIL_FLUSH.has(type)) {
      const parts = gathered.get(handlerId);
      if (parts) parts.push(message);
      else gathered.set(handlerId, [message]);
      return Promise.resolve(0); // nothing is owed yet: the connection's next message comes at once
    }
    const parts = gathered.get(handlerId);
    gathered.delete(handlerId);
    const whole = parts ? Buffer.concat([...parts, message]) : message;
    return new Promise<number>((resolve, reject) => {
      this.queue.push({ handlerId, message: whole, lastType: type, resolve, reject, onData });
      void this.processQueue();
    });
  };
  queue.processQueue = async function processQueue(this: QueryQueue) {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const sticky = db.isInTransaction() && this.lastHandlerId !== null ? this.lastHandlerId : holder;
        let item: QueuedMessage | undefined;
        if (sticky !== null) {
          const index = this.queue.findIndex((q) => q.handlerId === sticky);
          if (index === -1) break; // resumed when that connection sends its next message
          item = this.queue.splice(index, 1)[0];
        } else {
          item = this.queue.shift();
        }
        if (!item) break;
        if (ENDS_SEQUENCE.has(item.lastType)) holder = null;
        else if (item.lastType === FLUSH) holder = item.handlerId;
        let bytes = 0;
        const reply: Uint8Array[] = [];
        try {
          await db.runExclusive(async () => db.execProtocolRawStream(item!.message, {
            onRawData: (data: Uint8Array) => {
              bytes += data.length;
              // PGlite may reuse its buffer after the callback: keep a copy.
              if (data.length > 0) reply.push(data.slice());
            },
          }));
        } catch (error) {
          holder = null;
          item.reject(error);
          continue;
        }
        if (reply.length > 0) item.onData(reply.length === 1 ? reply[0] : Buffer.concat(reply));
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  const clear = queue.clearQueueForHandler.bind(queue);
  queue.clearQueueForHandler = (handlerId: number) => {
    // A connection that goes away mid-sequence must not hold the session.
    if (holder === handlerId) holder = null;
    gathered.delete(handlerId);
    clear(handlerId);
    // Its statements are closed on the session, or they would pile up as pools replace connections.
    // Queued under handler 0, which no connection has: a transaction the connection left open keeps
    // the session for its own id until pglite-socket rolls it back right after this returns, so the
    // Close never runs inside it.
    const closing = statements.get(handlerId)?.closeAll();
    statements.delete(handlerId);
    if (closing) {
      queue.queue.push({ handlerId: CLEAN_UP_HANDLER, message: closing, lastType: SYNC, resolve: () => {}, reject: () => {}, onData: () => {} });
      void queue.processQueue();
    }
  };
}
