import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedSandbox } from '../../sandbox/seed/index.js';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { searchGoldenRecords } from '../store/read.js';
import { crmTableReader, runInitialLoad } from './initialLoad.js';

const targets = await databaseTargets();

/**
 * `concord bootstrap` on a database nobody prepared: the server target is a
 * database just made with CREATE DATABASE (no extensions), so the MDM's own
 * migrations must create pg_trgm, fuzzystrmatch and unaccent before the
 * trigram index and the fuzzy search need them.
 */
for (const target of targets) {
  describe.skipIf(target.unavailable !== undefined)(`bootstrap on a fresh ${target.name} database`, () => {
    let database: TestDatabase;
    let pool: pg.Pool;

    beforeAll(async () => {
      database = await target.create();
      // The kit's pool: it listens for 'error' on idle clients, which DROP DATABASE … WITH (FORCE) terminates.
      pool = createPool({ connectionString: database.url, max: 4 });
    });
    afterAll(async () => {
      await pool?.end();
      await database?.drop();
    });

    it('seeds, migrates and loads the MDM, creating the extensions it needs', { timeout: 120_000 }, async () => {
      if (target.name === 'postgres') {
        const before = await pool.query(`SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'fuzzystrmatch', 'unaccent')`);
        expect(before.rows).toEqual([]);
      }
      await seedSandbox(pool, { seed: 7, companies: 30 });
      const load = await runInitialLoad(pool, { crm: crmTableReader(pool) });
      expect(load.migrations).toContain('000_extensions.sql');
      expect(load.customers.clusters).toBeGreaterThan(0);

      const extensions = await pool.query(`SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'fuzzystrmatch', 'unaccent') ORDER BY extname`);
      expect(extensions.rows.map((r) => r.extname)).toEqual(['fuzzystrmatch', 'pg_trgm', 'unaccent']);
      const index = await pool.query(`SELECT indexdef FROM pg_indexes WHERE schemaname = 'mdm' AND indexdef LIKE '%gin_trgm_ops%'`);
      expect(index.rowCount).toBeGreaterThan(0);

      const someName = (await pool.query(`SELECT attributes->>'name' AS name FROM mdm.golden_record WHERE entity_type = 'customer' AND active LIMIT 1`)).rows[0].name as string;
      const page = await searchGoldenRecords(pool, { entityType: 'customer', name: someName.slice(0, 6) });
      expect(page.nodes.length).toBeGreaterThan(0);

      // Bootstrap is re-run on every deploy: a second load applies no migration again.
      const again = await runInitialLoad(pool, { crm: crmTableReader(pool) });
      expect(again.migrations).toEqual([]);
    });
  });
}
