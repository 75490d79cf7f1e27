import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { runWithBudget } from '../deadline/index.js';
import { createPool } from './pool.js';

const targets = await databaseTargets();

for (const target of targets) {
  describe.skipIf(target.unavailable !== undefined)(`the pg pool's budgets on ${target.name}`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;

    beforeAll(async () => {
      database = await target.create();
      pool = createPool({ connectionString: database.url, max: 2, statementTimeouts: target.name === 'postgres' });
    });
    afterAll(async () => {
      await pool?.end();
      await database?.drop();
    });

    it('keeps the process alive when the connection of a checked-out client or of a running statement is reset', async () => {
      // A TCP proxy in front of the database whose connections this test resets (RST), as a database that goes away.
      const server = new URL(database.url);
      const sockets = new Set<net.Socket>();
      const proxy = net.createServer((client) => {
        const upstream = net.connect(Number(server.port || 5432), server.hostname);
        client.pipe(upstream).pipe(client);
        client.on('error', () => upstream.destroy());
        upstream.on('error', () => client.destroy());
        sockets.add(client);
      });
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      const url = new URL(database.url);
      url.hostname = '127.0.0.1';
      url.port = String((proxy.address() as net.AddressInfo).port);
      const proxied = createPool({ connectionString: url.toString(), max: 2, statementTimeouts: false });
      const reset = () => {
        for (const socket of sockets) socket.resetAndDestroy();
        sockets.clear();
      };
      const uncaught: unknown[] = [];
      const onUncaught = (error: unknown) => uncaught.push(error);
      process.on('uncaughtException', onUncaught);
      try {
        // A client checked out for a transaction, between statements: pg-pool leaves it without an 'error' listener.
        const held = await proxied.connect();
        reset();
        await new Promise((resolve) => setTimeout(resolve, 100));
        held.release(true);
        // A statement on the wire (not on PGlite: it runs in this thread, a sleeping statement would stop the test).
        if (target.name === 'postgres') {
          expect((await proxied.query('SELECT 1 AS n')).rows).toEqual([{ n: 1 }]);
          const running = proxied.query('SELECT pg_sleep(5)');
          await new Promise((resolve) => setTimeout(resolve, 100));
          reset();
          await expect(running).rejects.toThrow();
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(uncaught).toEqual([]);
        // Broken connections are not reused: the next statement gets a fresh one.
        expect((await proxied.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
      } finally {
        process.off('uncaughtException', onUncaught);
        await proxied.end();
        reset();
        await new Promise<void>((resolve) => proxy.close(() => resolve()));
      }
    });

    it('answers a statement within the budget as usual', async () => {
      const { rows } = await runWithBudget(2_000, () => pool.query('SELECT $1::int + 1 AS n', [41]));
      expect(rows).toEqual([{ n: 42 }]);
    });

    it('refuses a statement whose request budget is spent, without asking the database', async () => {
      await expect(runWithBudget(0, () => pool.query('SELECT 1'))).rejects.toMatchObject({ code: 'DEADLINE_EXCEEDED' });
      expect((await pool.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    });

    // Not on PGlite: the embedded database runs in this test's own thread, so a sleeping statement stops every timer with it.
    it.skipIf(target.name !== 'postgres')('gives up on a statement when the request budget runs out', async () => {
      const started = performance.now();
      await expect(runWithBudget(150, () => pool.query('SELECT pg_sleep(3)'))).rejects.toThrow(/time budget|statement timeout|canceling statement/);
      expect(performance.now() - started).toBeLessThan(1_500);
      // The pool is still usable afterwards.
      expect((await pool.query('SELECT 2 AS n')).rows).toEqual([{ n: 2 }]);
    });

    it.skipIf(target.name !== 'postgres')('keeps a statement_timeout that is at most a tenth (at most 250 ms) above what is left, and lowers one that is more', async () => {
      const single = createPool({ connectionString: database.url, max: 1, statementTimeouts: true });
      const timeoutMs = async (budgetMs: number) => {
        const { rows } = await runWithBudget(budgetMs, () => single.query(`SELECT current_setting('statement_timeout') AS t`));
        const t = rows[0].t as string;
        return t.endsWith('ms') ? Number(t.slice(0, -2)) : Number(t.slice(0, -1)) * 1_000;
      };
      try {
        const first = await timeoutMs(5_000);
        expect(first).toBeGreaterThan(4_500);
        expect(first).toBeLessThanOrEqual(5_000);
        // 4,800 ms left: the 5,000 already set is within a tenth (and 250 ms) above it, no round trip to change it.
        expect(await timeoutMs(4_800)).toBe(first);
        // 4,600 ms left: within a tenth of it, but more than 250 ms above: lowered, so the server cancels soon after the client gives up.
        const capped = await timeoutMs(4_600);
        expect(capped).toBeLessThanOrEqual(4_600);
        expect(capped).toBeGreaterThan(4_300);
        // 2,000 ms left: 5,000 would let the server run the statement far past the budget, so it is lowered.
        const lowered = await timeoutMs(2_000);
        expect(lowered).toBeLessThanOrEqual(2_000);
        expect(lowered).toBeGreaterThan(1_500);
        // Raised again when the budget grows: never below what is left.
        expect(await timeoutMs(5_000)).toBeGreaterThan(4_500);
      } finally {
        await single.end();
      }
    });

    it.skipIf(target.name !== 'postgres')('has PostgreSQL cancel the statement (statement_timeout from the budget), and resets it for transactions', async () => {
      await expect(runWithBudget(200, () => pool.query('SELECT pg_sleep(3)'))).rejects.toSatisfy((error: { code?: string; message: string }) =>
        error.code === '57014' || error.code === 'DEADLINE_EXCEEDED');
      const budgeted = await runWithBudget(5_000, () => pool.query(`SELECT current_setting('statement_timeout') AS t`));
      expect(budgeted.rows[0].t).toMatch(/^\d+ms$|^\d+s$/);
      const client = await pool.connect();
      try {
        expect((await client.query(`SELECT current_setting('statement_timeout') AS t`)).rows[0].t).toBe('0');
      } finally {
        client.release();
      }
    });
  });
}
