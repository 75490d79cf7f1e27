import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embeddedPostgres.js';

/** A statement that keeps PGlite's WebAssembly busy for about a second on the 2-core test machine. */
const LONG_STATEMENT = 'SELECT count(*)::int AS n FROM generate_series(1, 4000000) AS g(i) WHERE i % 7 = 0';

/** Event-loop turns of this thread (10 ms timer) while `work` runs. */
async function turnsDuring(work: () => Promise<unknown>): Promise<{ turns: number; ms: number }> {
  let turns = 0;
  const timer = setInterval(() => turns++, 10);
  const started = performance.now();
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return { turns, ms: performance.now() - started };
}

describe('the embedded PostgreSQL (PGlite)', () => {
  const started: EmbeddedPostgres[] = [];
  const clients: pg.Client[] = [];
  const connect = async (url: string) => {
    const client = new pg.Client({ connectionString: url });
    clients.push(client);
    await client.connect();
    return client;
  };
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => {});
    for (const e of started.splice(0)) await e.stop();
  });

  it('runs SQL on its own thread: the caller\'s event loop keeps turning while a long statement runs', async () => {
    const inWorker = await startEmbeddedPostgres();
    started.push(inWorker);
    const onCaller = await startEmbeddedPostgres({ thread: 'caller' });
    started.push(onCaller);
    const workerClient = await connect(inWorker.connectionString);
    const callerClient = await connect(onCaller.connectionString);

    const worker = await turnsDuring(async () => expect((await workerClient.query(LONG_STATEMENT)).rows[0].n).toBe(571428));
    const caller = await turnsDuring(async () => expect((await callerClient.query(LONG_STATEMENT)).rows[0].n).toBe(571428));

    // The statement must be long enough to tell the two apart.
    expect(caller.ms).toBeGreaterThan(150);
    expect(worker.ms).toBeGreaterThan(150);
    // On the caller's thread the WebAssembly blocks every timer; on its own thread, it blocks none.
    expect(caller.turns).toBeLessThan(caller.ms / 10 / 3);
    expect(worker.turns).toBeGreaterThan(worker.ms / 10 / 2);
  });

  it('stops its thread and frees its port; stopping twice is harmless', async () => {
    const embedded = await startEmbeddedPostgres();
    const client = await connect(embedded.connectionString);
    expect((await client.query('SELECT 41 + 1 AS n')).rows[0].n).toBe(42);
    await client.end();
    const stopping = performance.now();
    await embedded.stop();
    // Well within the 10 s after which a thread that does not wind down is ended outright.
    expect(performance.now() - stopping).toBeLessThan(5_000);
    await embedded.stop();
    const after = new pg.Client({ connectionString: embedded.connectionString, connectionTimeoutMillis: 2_000 });
    await expect(after.connect()).rejects.toThrow(/ECONNREFUSED/);
  });

  it('stops while a long statement runs: the statement settles and stop() neither hangs nor waits for the grace period', async () => {
    const embedded = await startEmbeddedPostgres();
    const client = await connect(embedded.connectionString);
    client.on('error', () => {}); // the server goes away under it
    const statement = client.query(LONG_STATEMENT).then(() => 'answered', () => 'refused');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopping = performance.now();
    await embedded.stop();
    expect(performance.now() - stopping).toBeLessThan(5_000);
    // Answered or refused, either is right; what matters is that it settles (a hung query times the test out).
    await statement;
  });

  it('reports why it could not start (its port is taken)', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as { port: number };
    try {
      const refused = await startEmbeddedPostgres({ port }).then(() => undefined, (error: unknown) => error as NodeJS.ErrnoException);
      expect(refused?.message).toMatch(/^the embedded PostgreSQL \(PGlite\) did not start: .*EADDRINUSE/);
      expect(refused?.message).not.toContain('\n');
      expect(refused?.code).toBe('EADDRINUSE');
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('keeps its data in dataDir across a restart', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'concord-pglite-'));
    try {
      const first = await startEmbeddedPostgres({ dataDir });
      started.push(first);
      const writer = await connect(first.connectionString);
      await writer.query('CREATE TABLE kept (name text)');
      await writer.query("INSERT INTO kept VALUES ('survives a restart')");
      await writer.end();
      clients.splice(clients.indexOf(writer), 1);
      await first.stop();
      started.splice(started.indexOf(first), 1);

      const second = await startEmbeddedPostgres({ dataDir });
      started.push(second);
      const reader = await connect(second.connectionString);
      expect((await reader.query('SELECT name FROM kept')).rows).toEqual([{ name: 'survives a restart' }]);
    } finally {
      for (const c of clients.splice(0)) await c.end().catch(() => {});
      for (const e of started.splice(0)) await e.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
