import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { ASSOCIATION_TYPES, SHOWCASE, SeedError, isValidGtin13, seedSandbox, type SeedSummary } from './index.js';

const targets = await databaseTargets();
const REFERENCE = new Date('2026-11-22T00:00:00Z');
const COMPANIES = 300;

/** One digest per key table, over every column of every row. */
async function fingerprint(pool: pg.Pool): Promise<Record<string, string>> {
  const tables = [
    'erp.res_partner', 'erp.product_template', 'erp.product_product', 'erp.stock_quant', 'erp.sale_order',
    'erp.sale_order_line', 'erp.account_move', 'crm.objects', 'crm.associations', 'truth.entity',
  ];
  const digests: Record<string, string> = {};
  for (const table of tables) {
    const { rows } = await pool.query(`SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${table} t`);
    digests[table] = rows[0].digest;
  }
  return digests;
}

async function count(pool: pg.Pool, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await pool.query(sql, params);
  return Number(rows[0].n);
}

for (const target of targets) {
  describe.skipIf(target.unavailable)(`seedSandbox on ${target.name}`, () => {
    let db: TestDatabase;
    let pool: pg.Pool;
    let summary: SeedSummary;
    let digest: Record<string, string>;

    beforeAll(async () => {
      db = await target.create();
      pool = new pg.Pool({ connectionString: db.url, max: 4 });
      summary = await seedSandbox(pool, { seed: 42, companies: COMPANIES, referenceDate: REFERENCE });
      digest = await fingerprint(pool);
    });

    afterAll(async () => {
      await pool?.end();
      await db?.drop();
    });

    it('reports the rows it wrote, matching what the tables hold', async () => {
      expect(summary.rows['erp.res_partner']).toBe(await count(pool, 'SELECT count(*) AS n FROM erp.res_partner'));
      expect(summary.rows['crm.companies']).toBe(await count(pool, "SELECT count(*) AS n FROM crm.objects WHERE object_type = 'companies'"));
      expect(summary.rows['truth.entity']).toBe(await count(pool, 'SELECT count(*) AS n FROM truth.entity'));
      expect(summary.products).toBe(200);
      expect(summary.referenceDate).toBe('2026-11-22');
    });

    it('writes a truth row for every customer and product record of both systems', async () => {
      const missing = await count(pool, `
        SELECT count(*) AS n FROM (
          SELECT 'customer' AS entity_type, 'erp' AS system, id::text AS source_id FROM erp.res_partner
          UNION ALL SELECT 'product', 'erp', id::text FROM erp.product_product
          UNION ALL SELECT 'customer', 'crm', id::text FROM crm.objects WHERE object_type = 'companies'
          UNION ALL SELECT 'product', 'crm', id::text FROM crm.objects WHERE object_type = 'products'
        ) s WHERE NOT EXISTS (SELECT 1 FROM truth.entity t WHERE (t.entity_type, t.system, t.source_id) = (s.entity_type, s.system, s.source_id))`);
      expect(missing).toBe(0);
      const companies = await count(pool, "SELECT count(DISTINCT truth_id) AS n FROM truth.entity WHERE entity_type = 'customer'");
      expect(companies).toBe(COMPANIES);
    });

    it('puts about 70 % of companies in both systems and the rest in one', async () => {
      const { rows } = await pool.query(`
        SELECT systems, count(*)::int AS n FROM (
          SELECT truth_id, string_agg(DISTINCT system, '+' ORDER BY system) AS systems FROM truth.entity WHERE entity_type = 'customer' GROUP BY truth_id
        ) s GROUP BY systems`);
      const share = Object.fromEntries(rows.map((r) => [r.systems, r.n / COMPANIES]));
      expect(share['crm+erp']).toBeGreaterThan(0.6);
      expect(share['crm+erp']).toBeLessThan(0.8);
      expect(share.erp).toBeGreaterThan(0.08);
      expect(share.crm).toBeGreaterThan(0.08);
    });

    it('creates the showcase customer Globex in both systems with its promised history', async () => {
      const partner = (await pool.query('SELECT * FROM erp.res_partner WHERE id = $1', [summary.showcase.erpPartnerId])).rows[0];
      expect(partner).toMatchObject({ name: 'Globex Corporation', vat: 'DE811234560', email: 'billing@globex.example', city: 'Berlin', is_company: true });
      expect(partner.customer_rank).toBeGreaterThanOrEqual(1);
      const truth = (await pool.query("SELECT system, source_id FROM truth.entity WHERE truth_id = 'company-00001' ORDER BY system")).rows;
      expect(truth).toEqual([
        { system: 'crm', source_id: String(summary.showcase.crmCompanyId) },
        { system: 'erp', source_id: String(summary.showcase.erpPartnerId) },
      ]);

      const orders = (await pool.query(`
        SELECT o.name, o.amount_total::text AS total, count(l.id)::int AS lines, sum(l.price_subtotal)::text AS line_sum
        FROM erp.sale_order o JOIN erp.sale_order_line l ON l.order_id = o.id WHERE o.partner_id = $1 GROUP BY o.id ORDER BY o.id`, [partner.id])).rows;
      expect(orders.length).toBeGreaterThanOrEqual(6);
      for (const order of orders) {
        expect(order.lines).toBeGreaterThanOrEqual(1);
        expect(order.lines).toBeLessThanOrEqual(3);
        expect(order.total).toBe(order.line_sum);
      }
      const invoices = (await pool.query(`
        SELECT payment_state, invoice_date_due < $2::date AND amount_residual > 0 AS overdue, invoice_origin
        FROM erp.account_move WHERE partner_id = $1 AND move_type = 'out_invoice' AND state = 'posted' ORDER BY id`, [partner.id, '2026-11-22'])).rows;
      expect(invoices.map((i) => [i.payment_state, i.overdue])).toEqual([['paid', false], ['not_paid', true], ['partial', false]]);
      expect(invoices.every((i) => orders.some((o) => o.name === i.invoice_origin))).toBe(true);

      const company = (await pool.query("SELECT properties FROM crm.objects WHERE object_type = 'companies' AND id = $1", [summary.showcase.crmCompanyId])).rows[0];
      expect(company.properties).toMatchObject({ name: 'GLOBEX Corp.', domain: 'globex.example', hs_object_id: String(summary.showcase.crmCompanyId) });
      expect(company.properties.vat).toBeUndefined();
      const related = async (type: string) =>
        (await pool.query(`
          SELECT o.properties FROM crm.associations a JOIN crm.objects o ON o.object_type = a.to_type AND o.id = a.to_id
          WHERE a.from_type = 'companies' AND a.from_id = $1 AND a.to_type = $2 ORDER BY o.id`, [summary.showcase.crmCompanyId, type])).rows.map((r) => r.properties);
      expect(await related('contacts')).toHaveLength(3);
      const deals = await related('deals');
      expect(deals.map((d) => d.hs_is_closed).sort()).toEqual(['false', 'false', 'true']);
      expect(deals.filter((d) => d.dealstage === 'closedwon')).toHaveLength(1);
      const tickets = await related('tickets');
      expect(tickets.map((t) => t.hs_pipeline_stage).sort()).toEqual(['2', '4']);
      expect(SHOWCASE.erpName).toBe('Globex Corporation');
    });

    it('gives every product a valid GTIN-13 and a SKU like ACM-10042', async () => {
      const { rows } = await pool.query('SELECT default_code, barcode FROM erp.product_product');
      expect(rows.length).toBeGreaterThan(150);
      for (const row of rows) {
        expect(row.default_code).toMatch(/^[A-Z]{3}-\d{5}$/);
        if (row.barcode !== null) expect(isValidGtin13(row.barcode), row.barcode).toBe(true);
      }
      expect(isValidGtin13('4006381333931')).toBe(true);
      expect(isValidGtin13('4006381333932')).toBe(false);
    });

    it('records the same company differently in the ERP and the CRM', async () => {
      const { rows } = await pool.query(`
        SELECT p.name AS erp, c.properties->>'name' AS crm FROM truth.entity e
        JOIN erp.res_partner p ON e.system = 'erp' AND p.id::text = e.source_id
        JOIN truth.entity f ON f.truth_id = e.truth_id AND f.system = 'crm'
        JOIN crm.objects c ON c.object_type = 'companies' AND c.id::text = f.source_id`);
      const differing = rows.filter((r) => r.erp !== r.crm);
      expect(differing.length / rows.length).toBeGreaterThan(0.3);
      expect(rows.length - differing.length).toBeGreaterThan(0);
      // CRM companies carry no VAT; most have a domain.
      const crm = (await pool.query("SELECT count(*) FILTER (WHERE properties ? 'domain')::int AS with_domain, count(*) FILTER (WHERE properties ? 'vat')::int AS with_vat, count(*)::int AS n FROM crm.objects WHERE object_type = 'companies'")).rows[0];
      expect(crm.with_vat).toBe(0);
      expect(crm.with_domain / crm.n).toBeGreaterThan(0.75);
      // Every CRM property is a string, as HubSpot's API returns them.
      expect(await count(pool, "SELECT count(*) AS n FROM crm.objects o, jsonb_each(o.properties) p WHERE jsonb_typeof(p.value) <> 'string'")).toBe(0);
    });

    it('makes true duplicates inside each system', async () => {
      const { rows } = await pool.query(`
        SELECT system, count(*)::int AS n FROM (
          SELECT system, truth_id FROM truth.entity WHERE entity_type = 'customer' GROUP BY system, truth_id HAVING count(*) > 1
        ) d GROUP BY system ORDER BY system`);
      expect(rows.map((r) => r.system)).toEqual(['crm', 'erp']);
      for (const row of rows) expect(row.n).toBeLessThan(COMPANIES * 0.06);
    });

    it('writes orders totalling their lines, and invoices that are paid, partly paid and overdue', async () => {
      expect(await count(pool, `
        SELECT count(*) AS n FROM erp.sale_order o
        WHERE o.amount_total <> (SELECT coalesce(sum(price_subtotal), 0) FROM erp.sale_order_line l WHERE l.order_id = o.id)`)).toBe(0);
      expect(await count(pool, "SELECT count(*) AS n FROM erp.sale_order WHERE date_order >= '2026-11-22' OR date_order < '2024-11-20'")).toBe(0);
      const { rows } = await pool.query(`
        SELECT payment_state, count(*)::int AS n, bool_and(CASE payment_state WHEN 'paid' THEN amount_residual = 0
          WHEN 'not_paid' THEN amount_residual = amount_total ELSE amount_residual > 0 AND amount_residual < amount_total END) AS consistent
        FROM erp.account_move GROUP BY payment_state ORDER BY payment_state`);
      expect(rows.map((r) => r.payment_state)).toEqual(['not_paid', 'paid', 'partial']);
      expect(rows.every((r) => r.consistent)).toBe(true);
      expect(await count(pool, "SELECT count(*) AS n FROM erp.account_move WHERE invoice_date_due < '2026-11-22' AND amount_residual > 0")).toBeGreaterThan(0);
      expect(await count(pool, 'SELECT count(*) AS n FROM erp.stock_quant WHERE reserved_quantity > quantity')).toBe(0);
    });

    it('stores every CRM association in both directions with HubSpot v4 type ids', async () => {
      const oneWay = await count(pool, `
        SELECT count(*) AS n FROM crm.associations a WHERE NOT EXISTS (
          SELECT 1 FROM crm.associations b WHERE (b.from_type, b.from_id, b.to_type, b.to_id) = (a.to_type, a.to_id, a.from_type, a.from_id))`);
      expect(oneWay).toBe(0);
      const { rows } = await pool.query('SELECT DISTINCT from_type, to_type, type_id FROM crm.associations');
      for (const row of rows) {
        expect(row.type_id).toBe(ASSOCIATION_TYPES[`${row.from_type}→${row.to_type}` as keyof typeof ASSOCIATION_TYPES]);
      }
      expect(rows.find((r) => r.from_type === 'contacts' && r.to_type === 'companies')?.type_id).toBe(279);
    });

    it('refuses to seed a database that already holds sandbox data', async () => {
      const error = await seedSandbox(pool, { seed: 42, companies: 10, referenceDate: REFERENCE }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SeedError);
      expect((error as SeedError).code).toBe('SEED_NOT_EMPTY');
    });

    it('gives identical data for the same seed and different data for another seed', async () => {
      await seedSandbox(pool, { seed: 42, companies: COMPANIES, referenceDate: REFERENCE, reset: true });
      expect(await fingerprint(pool)).toEqual(digest);
      await seedSandbox(pool, { seed: 7, companies: COMPANIES, referenceDate: REFERENCE, reset: true });
      const other = await fingerprint(pool);
      for (const table of Object.keys(digest)) expect(other[table], table).not.toBe(digest[table]);
    });

    it('scales the record counts with the number of companies', async () => {
      const larger = await seedSandbox(pool, { seed: 42, companies: COMPANIES * 2, referenceDate: REFERENCE, reset: true });
      const ratio = larger.rows['erp.res_partner'] / summary.rows['erp.res_partner'];
      expect(ratio).toBeGreaterThan(1.7);
      expect(ratio).toBeLessThan(2.3);
      expect(larger.rows['crm.contacts'] / summary.rows['crm.contacts']).toBeGreaterThan(1.7);
      expect(larger.showcase).toEqual(summary.showcase);
    });
  });
}
