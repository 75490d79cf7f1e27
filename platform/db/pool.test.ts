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
