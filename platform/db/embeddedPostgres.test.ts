import { mkdtemp, rm } from 'node:fs/promises';
import { connect as connectSocket, createServer, Socket, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
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

/** A frontend wire message: type byte, int32 length (itself included), body. */
function wireMessage(type: string, body: Buffer = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/**
 * The backend message types in `bytes`, in order (e.g. ['1', 'Z']), leaving
 * out ParameterStatus ('S'), which a server may send at any time (PGlite
 * sends a few with each ReadyForQuery).
 */
function backendMessageTypes(bytes: Buffer): string[] {
  const types: string[] = [];
  for (let at = 0; at + 5 <= bytes.length; at += 1 + bytes.readInt32BE(at + 1)) types.push(String.fromCharCode(bytes[at]));
  return types.filter((type) => type !== 'S');
}

/** Parse of `SELECT 1` as the unnamed statement, no parameter types. */
const PARSE_SELECT_1 = wireMessage('P', Buffer.from('\0SELECT 1\0\0\0', 'latin1'));

/** A raw protocol-3 connection: everything received so far, and a wait for a given message type. */
async function rawConnection(connectionString: string): Promise<{ socket: Socket; received(): Buffer; waitFor(type: string, timeoutMs: number): Promise<boolean> }> {
  const url = new URL(connectionString);
  const socket = connectSocket(Number(url.port), url.hostname);
  let received = Buffer.alloc(0);
  socket.on('data', (chunk) => {
    received = Buffer.concat([received, chunk]);
  });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const params = Buffer.from('user\0postgres\0database\0postgres\0\0', 'latin1');
  const startup = Buffer.alloc(8);
  startup.writeInt32BE(8 + params.length, 0);
  startup.writeInt32BE(196608, 4);
  socket.write(Buffer.concat([startup, params]));
  const waitFor = async (type: string, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if (backendMessageTypes(received).includes(type)) return true;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return false;
  };
  expect(await waitFor('Z', 5_000)).toBe(true);
  received = Buffer.alloc(0);
  return { socket, received: () => received, waitFor };
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
  const rawSockets: Socket[] = [];
  const connectRaw = async (url: string) => {
    const raw = await rawConnection(url);
    rawSockets.push(raw.socket);
    return raw;
  };
  afterEach(async () => {
    for (const s of rawSockets.splice(0)) s.destroy();
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

  it('answers an extended-query sequence in one write, as a server flushing at Sync does', async () => {
    const embedded = await startEmbeddedPostgres({ thread: 'caller' });
    started.push(embedded);
    const client = await connect(embedded.connectionString);
    // Writes by the server's accepted sockets (their `server` is set); pg's own writes are the client's.
    const write = vi.spyOn(Socket.prototype, 'write');
    try {
      const { rows } = await client.query('SELECT $1::int + 1 AS n', [41]);
      expect(rows[0].n).toBe(42);
      const serverWrites = write.mock.contexts.filter((socket) => (socket as Socket & { server?: unknown }).server != null);
      // ParseComplete, BindComplete, RowDescription, DataRow, CommandComplete, ReadyForQuery: one write (pglite-socket alone: five).
      expect(serverWrites).toHaveLength(1);
    } finally {
      write.mockRestore();
    }
  });

  it('sends what it holds when the client asks with Flush, before any Sync', async () => {
    const embedded = await startEmbeddedPostgres();
    started.push(embedded);
    const raw = await connectRaw(embedded.connectionString);
    // Parse then Flush: the client waits for ParseComplete.
    raw.socket.write(Buffer.concat([PARSE_SELECT_1, wireMessage('H')]));
    expect(await raw.waitFor('1', 5_000)).toBe(true);
    expect(backendMessageTypes(raw.received())).toEqual(['1']);
    raw.socket.write(wireMessage('S'));
    expect(await raw.waitFor('Z', 5_000)).toBe(true);
    expect(backendMessageTypes(raw.received())).toEqual(['1', 'Z']);
  });

  it('holds the replies of Parse and Bind until Sync when no Flush asks for them', async () => {
    const embedded = await startEmbeddedPostgres();
    started.push(embedded);
    const raw = await connectRaw(embedded.connectionString);
    // Parse and Bind (unnamed portal, no parameters, no result formats): nothing is owed yet.
    raw.socket.write(Buffer.concat([PARSE_SELECT_1, wireMessage('B', Buffer.from('\0\0\0\0\0\0\0\0', 'latin1'))]));
    expect(await raw.waitFor('1', 300)).toBe(false);
    raw.socket.write(Buffer.concat([wireMessage('E', Buffer.from('\0\0\0\0\0', 'latin1')), wireMessage('S')]));
    expect(await raw.waitFor('Z', 5_000)).toBe(true);
    expect(backendMessageTypes(raw.received())).toEqual(['1', '2', 'D', 'C', 'Z']);
  });

  it('answers a failing statement of a sequence with its error and stays usable, for that connection and the others', async () => {
    const embedded = await startEmbeddedPostgres();
    started.push(embedded);
    const first = await connect(embedded.connectionString);
    const second = await connect(embedded.connectionString);
    // Parse fails: the server skips Bind/Describe/Execute to the Sync and answers ErrorResponse, then ReadyForQuery.
    await expect(first.query('SELEC $1::int', [1])).rejects.toMatchObject({ code: '42601' });
    // Execute fails (division by zero) after Parse and Bind succeeded.
    await expect(first.query('SELECT 1 / $1::int AS n', [0])).rejects.toMatchObject({ code: '22012' });
    const [a, b] = await Promise.all([first.query('SELECT $1::int AS n', [1]), second.query('SELECT $1::int AS n', [2])]);
    expect([a.rows[0].n, b.rows[0].n]).toEqual([1, 2]);
  });

  it('gives each connection its own named statements, as sessions of a server would, and closes them when it goes away', async () => {
    const embedded = await startEmbeddedPostgres();
    started.push(embedded);
    const first = await connect(embedded.connectionString);
    const second = await connect(embedded.connectionString);
    const observer = await connect(embedded.connectionString);
    // The same name with different texts on two connections: on one shared session the second Parse
    // failed with 42P05 (prepared statement already exists).
    const sum = { name: 'shared.name', text: 'SELECT $1::int + 1 AS n' };
    const suffix = { name: 'shared.name', text: "SELECT $1::text || 'x' AS n" };
    for (let run = 0; run < 2; run++) {
      // The second run binds the statement pg remembers as parsed on that connection.
      expect((await first.query({ ...sum, values: [41] })).rows[0].n).toBe(42);
      expect((await second.query({ ...suffix, values: ['a'] })).rows[0].n).toBe('ax');
    }
    const sessionNames = async () =>
      (await observer.query("SELECT name FROM pg_prepared_statements WHERE name LIKE '%shared.name' ORDER BY name")).rows.map((r) => r.name as string);
    expect(await sessionNames()).toHaveLength(2);

    await first.end();
    clients.splice(clients.indexOf(first), 1);
    const until = Date.now() + 5_000;
    while ((await sessionNames()).length !== 1 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
    const left = await sessionNames();
    expect(left).toHaveLength(1);
    // What is left is the second connection's, and it still answers.
    expect((await second.query({ ...suffix, values: ['b'] })).rows[0].n).toBe('bx');
    expect(await sessionNames()).toEqual(left);
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
