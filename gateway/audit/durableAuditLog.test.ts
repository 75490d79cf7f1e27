import { execFileSync } from 'node:child_process';
import { mkdtemp, open, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { createPool } from '../../platform/db/pool.js';
import { pino } from 'pino';
import { GatewayMetrics } from '../observability/metrics.js';
import { migrateAudit } from './auditLog.js';
import { databaseAuditSink } from './auditSink.js';
import { openAuditSpool } from './auditSpool.js';
import { AuditUnavailableError, createDurableAuditLog } from './durableAuditLog.js';

const targets = await databaseTargets();

const read = (requestId: string) => ({
  subject: 'demo-admin', operationName: 'Customer360', operationHash: 'h', fields: ['Customer.primaryEmail'], entityIds: ['cus_1'], masked: false, requestId,
});

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `postgres://postgres@127.0.0.1:${port}/postgres`;
}

/** A "database" that accepts connections and never answers a byte: a frozen server, a hung load balancer. */
async function hangingServer(): Promise<{ url: string; close(): Promise<void> }> {
  const held: Socket[] = [];
  const server: Server = createServer((socket) => void held.push(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    close: async () => {
      for (const socket of held) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

for (const target of targets) {
  describe.skipIf(target.unavailable !== undefined)(`the durable audit log on ${target.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;
    let deadPool: pg.Pool;
    let hanging: Awaited<ReturnType<typeof hangingServer>>;
    let hangingPool: pg.Pool;
    let dir: string;
    const stored = async (requestIds: string[]) =>
      (await pool.query<{ request_id: string; n: number }>(
        'SELECT request_id, count(*)::int AS n FROM audit.field_read WHERE request_id = ANY($1::text[]) GROUP BY request_id ORDER BY request_id', [requestIds],
      )).rows;

    beforeAll(async () => {
      database = await target.create();
      pool = createPool({ connectionString: database.url, max: 2, statementTimeouts: false });
      await migrateAudit(pool);
      deadPool = createPool({ connectionString: await closedPortUrl(), max: 1, connectionTimeoutMs: 300, statementTimeouts: false });
      hanging = await hangingServer();
      // The pool's own timeouts are far beyond the deadlines below: only a record's deadline can end its wait
      // (they bound the replay close() tries against it).
      hangingPool = createPool({ connectionString: hanging.url, max: 2, connectionTimeoutMs: 3_000, queryTimeoutMs: 3_000, statementTimeouts: false });
      dir = await mkdtemp(path.join(tmpdir(), 'concord-audit-spool-'));
    });
    afterAll(async () => {
      await pool?.end();
      await deadPool?.end();
      await hangingPool?.end();
      await hanging?.close();
      await database?.drop();
      await rm(dir, { recursive: true, force: true });
    });

    it('stores a read in the database before it resolves, with its record id and request id', async () => {
      const log = createDurableAuditLog({ pool });
      expect(await Promise.all([log.record(read('db-1')), log.record(read('db-2'))])).toEqual(['database', 'database']);
      expect(await stored(['db-1', 'db-2'])).toEqual([{ request_id: 'db-1', n: 1 }, { request_id: 'db-2', n: 1 }]);
      await log.close();
    });

    it('spools (fsync) a read the database cannot take, and replays it exactly once when the database is back', async () => {
      const spoolDir = path.join(dir, 'replay');
      const down = createDurableAuditLog({ pool: deadPool, spool: await openAuditSpool(spoolDir), replayIntervalMs: 60_000 });
      expect(await Promise.all(['sp-1', 'sp-2', 'sp-3'].map((id) => down.record(read(id))))).toEqual(['spool', 'spool', 'spool']);
      expect(down.stats).toMatchObject({ spooled: 3, database: 0 });
      await down.close();
      // On disk, one JSON line per record (close() tried a replay: the file may be sealed for it already).
      const files = await readdir(spoolDir);
      expect(files).toHaveLength(1);
      const copy = await readFile(path.join(spoolDir, files[0]), 'utf8');
      expect(copy.trim().split('\n').map((l) => JSON.parse(l).request_id)).toEqual(['sp-1', 'sp-2', 'sp-3']);

      // A replay interrupted after its insert (the file was not deleted) is run again: nothing twice.
      const back = createDurableAuditLog({ pool, spool: await openAuditSpool(spoolDir), replayIntervalMs: 60_000 });
      expect(await back.replay()).toBe(3);
      await writeFile(path.join(spoolDir, 'audit-spool.crashed.replay'), copy);
      const again = createDurableAuditLog({ pool, spool: await openAuditSpool(spoolDir), replayIntervalMs: 60_000 });
      expect(await again.replay()).toBe(3);
      expect(await stored(['sp-1', 'sp-2', 'sp-3'])).toEqual([1, 2, 3].map((i) => ({ request_id: `sp-${i}`, n: 1 })));
      expect(await readdir(spoolDir)).toEqual([]);
      await back.close();
      await again.close();
    });

    it('refuses the read when neither the database nor the spool can store it', async () => {
      const spoolDir = path.join(dir, 'gone');
      const spool = await openAuditSpool(spoolDir);
      // The spool's folder is replaced by a file: every append fails (ENOTDIR), as on a lost disk.
      await rm(spoolDir, { recursive: true });
      await writeFile(spoolDir, '');
      const log = createDurableAuditLog({ pool: deadPool, spool, replayIntervalMs: 60_000 });
      await expect(log.record(read('none-1'))).rejects.toBeInstanceOf(AuditUnavailableError);
      expect(log.stats).toMatchObject({ refused: 1, spooled: 0 });
      await log.close().catch(() => {});
    });

    it('shows the spool backlog as a gauge: the records not yet replayed, 0 once they are', async () => {
      const spoolDir = path.join(dir, 'backlog');
      const silent = pino({ level: 'silent' });
      const metrics = new GatewayMetrics({ defaultMetrics: false });
      const backlog = async () => {
        const line = (await metrics.render()).body.split('\n').find((l) => l.startsWith('concord_gateway_audit_spool_backlog '));
        return line === undefined ? undefined : Number(line.split(' ')[1]);
      };
      const down = await databaseAuditSink(deadPool, silent, { spoolDir });
      metrics.watchAuditSpool(() => down.spoolBacklog());
      expect(await backlog()).toBe(0);
      await Promise.all(['bl-1', 'bl-2', 'bl-3'].map((id) => down.record(read(id))));
      expect(await backlog()).toBe(3);
      await down.record(read('bl-4'));
      expect(await backlog()).toBe(4);
      await down.close();
      // A gateway started later finds them on disk, counts them, and the gauge drops to 0 when they are replayed.
      const back = await databaseAuditSink(pool, silent, { spoolDir });
      metrics.watchAuditSpool(() => back.spoolBacklog());
      expect(await backlog()).toBe(4);
      await back.flush();
      expect(await backlog()).toBe(0);
      expect(await stored(['bl-1', 'bl-2', 'bl-3', 'bl-4'])).toEqual([1, 2, 3, 4].map((i) => ({ request_id: `bl-${i}`, n: 1 })));
      await back.close();
    });

    it('spools a read whose database hangs by its deadline (not after the database timeout), and replays it exactly once later', async () => {
      const spoolDir = path.join(dir, 'hanging');
      const hung = createDurableAuditLog({
        pool: hangingPool, spool: await openAuditSpool(spoolDir), databaseTimeoutMs: 3_000, spoolReserveMs: 150, replayIntervalMs: 60_000,
      });
      const deadline = Date.now() + 800;
      const where = await Promise.all(['hang-1', 'hang-2'].map((id) => hung.record(read(id), { deadline })));
      const answeredAt = Date.now();
      expect(where).toEqual(['spool', 'spool']);
      expect(answeredAt).toBeLessThanOrEqual(deadline);
      expect(hung.stats).toMatchObject({ spooled: 2, database: 0, refused: 0 });
      await hung.close();
      const [file] = await readdir(spoolDir);
      // Both in the spool; their order is their timers' (same deadline: a clock tick between arming them can swap them).
      expect((await readFile(path.join(spoolDir, file), 'utf8')).trim().split('\n').map((l) => JSON.parse(l).request_id).sort()).toEqual(['hang-1', 'hang-2']);

      const back = createDurableAuditLog({ pool, spool: await openAuditSpool(spoolDir), replayIntervalMs: 60_000 });
      expect(await back.replay()).toBe(2);
      expect(await back.replay()).toBe(0);
      await back.close();
      expect(await stored(['hang-1', 'hang-2'])).toEqual([{ request_id: 'hang-1', n: 1 }, { request_id: 'hang-2', n: 1 }]);
      expect(await readdir(spoolDir)).toEqual([]);
    });

    it('counts the wait for a database slot against the deadline: a record queued behind a hung INSERT goes to the spool in time', async () => {
      const spoolDir = path.join(dir, 'queued');
      const hung = createDurableAuditLog({
        pool: hangingPool, spool: await openAuditSpool(spoolDir), maxConcurrentBatches: 1, databaseTimeoutMs: 2_000, spoolReserveMs: 150, replayIntervalMs: 60_000,
      });
      // No deadline: it holds the only database slot until the 2 s database timeout.
      const first = hung.record(read('slot-holder'));
      let firstDone = false;
      void first.finally(() => (firstDone = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const deadline = Date.now() + 600;
      expect(await hung.record(read('queued-1'), { deadline })).toBe('spool');
      expect(Date.now()).toBeLessThanOrEqual(deadline);
      expect(firstDone).toBe(false);
      expect(await first).toBe('spool');
      await hung.close();
      const back = createDurableAuditLog({ pool, spool: await openAuditSpool(spoolDir), replayIntervalMs: 60_000 });
      await back.replay();
      await back.close();
      expect(await stored(['queued-1', 'slot-holder'])).toEqual([{ request_id: 'queued-1', n: 1 }, { request_id: 'slot-holder', n: 1 }]);
    });

    it('refuses the read at its deadline when the spool cannot finish its write in time either', async () => {
      const spoolDir = path.join(dir, 'stuck');
      const spool = await openAuditSpool(spoolDir);
      // The spool's file is a FIFO nobody reads: opening it for the append blocks, as a hung disk would.
      const fifo = path.join(spoolDir, 'audit-spool.jsonl');
      execFileSync('mkfifo', [fifo]);
      const log = createDurableAuditLog({ pool: deadPool, spool, spoolReserveMs: 150, replayIntervalMs: 60_000 });
      const deadline = Date.now() + 500;
      const refusal = await log.record(read('stuck-1'), { deadline }).catch((error: unknown) => error);
      expect(Date.now()).toBeLessThan(deadline + 100);
      expect(refusal).toBeInstanceOf(AuditUnavailableError);
      expect(refusal).toMatchObject({ code: 'AUDIT_UNAVAILABLE', reason: 'deadline' });
      expect(log.stats).toMatchObject({ refused: 1, spooled: 0 });
      // Let the stuck write through (fsync on a FIFO then fails) so the test leaves no blocked thread.
      const reader = await open(fifo, 'r');
      await log.close().catch(() => {});
      await reader.close();
    });

    it('refuses the read without a spool when the database cannot take it', async () => {
      const log = createDurableAuditLog({ pool: deadPool });
      await expect(log.record(read('none-2'))).rejects.toMatchObject({ code: 'AUDIT_UNAVAILABLE' });
      expect(log.stats.refused).toBe(1);
      await log.close();
    });
  });
}
