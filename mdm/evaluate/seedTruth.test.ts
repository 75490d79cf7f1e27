import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { startCrmSandbox, type CrmSandbox } from '../../sandbox/crm/index.js';
import { seedSandbox } from '../../sandbox/seed/index.js';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { formatSeedTruthEvaluation } from '../cli.js';
import { runInitialLoad } from '../load/initialLoad.js';
import { evaluateSeedTruth } from './seedTruth.js';

const targets = await databaseTargets();

describe.each(targets)('the first load scored against the seed truth on $name', (target) => {
  let db: TestDatabase;
  let pool: pg.Pool;
  let crm: CrmSandbox;

  beforeAll(async () => {
    if (target.unavailable) return;
    db = await target.create();
    pool = createPool({ connectionString: db.url, max: 4 });
    crm = await startCrmSandbox({ databaseUrl: db.url, port: 0, tokens: ['t'] });
    await seedSandbox(pool, { seed: 42, companies: 150 });
    await runInitialLoad(pool, { crmBaseUrl: crm.url, crmToken: 't' });
  }, 60_000);
  afterAll(async () => {
    await crm?.close();
    await pool?.end();
    await db?.drop();
  });

  it.skipIf(!!target.unavailable)('links ERP and CRM customers and products with F1 of at least 0.98, without over-merging look-alike products', async () => {
    const customers = await evaluateSeedTruth(pool, 'customer');
    const products = await evaluateSeedTruth(pool, 'product');
    for (const r of [customers, products]) {
      expect(r.labelled).toBe(r.records);
      expect(r.overall.f1).toBeGreaterThanOrEqual(0.98);
      expect(r.linkage.f1).toBeGreaterThanOrEqual(0.98);
      expect(r.overall.predictedPairs).toBe(r.linkage.predictedPairs + r.dedup.predictedPairs);
    }
    // Templated names ("Flange Nut M10x20, Brass") with different SKUs stay apart: about one golden record per real product.
    expect(products.masters).toBeGreaterThanOrEqual(products.overall.trueClusters * 0.98);
    const text = formatSeedTruthEvaluation([customers, products]);
    expect(text.trim().split('\n').at(-1)).toMatch(/^precision=\d\.\d{4} recall=\d\.\d{4} f1=\d\.\d{4}$/);
  });

  it.skipIf(!!target.unavailable)('counts a wrong merge against precision and a missed link against recall', async () => {
    const before = await evaluateSeedTruth(pool, 'product');
    // Force one wrong merge: move one ERP product into another product's golden record.
    const { rows } = await pool.query(
      `SELECT x.source_id, (SELECT master_id FROM mdm.xref y WHERE y.entity_type = 'product' AND y.master_id <> x.master_id LIMIT 1) AS other
         FROM mdm.xref x WHERE x.entity_type = 'product' AND x.system = 'erp' ORDER BY x.source_id LIMIT 1`,
    );
    await pool.query(`UPDATE mdm.xref SET master_id = $1 WHERE entity_type = 'product' AND system = 'erp' AND source_id = $2`, [rows[0].other, rows[0].source_id]);
    const after = await evaluateSeedTruth(pool, 'product');
    expect(after.overall.precision).toBeLessThan(before.overall.precision);
    expect(after.overall.truePositives).toBeLessThanOrEqual(before.overall.truePositives);
  });
});
