import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/index.js';

const migrations = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../mdm/store/migrations');

/**
 * A small MDM store for the MDM subgraph's tests:
 *
 * - cust-0001 Acme: ERP partners 1 and 2 (true duplicates) and CRM company 501;
 *   cust-0002 Bolt: ERP partner 4 only; cust-0003 was merged away (inactive).
 * - cust-1001..cust-1020: bulk customers, one ERP partner and one CRM company each.
 * - prod-0001 BOLT-M8 (ERP product 1, CRM product 9), prod-0002 WASH-8 (ERP only).
 */
export async function installMdmFixture(pool: pg.Pool): Promise<void> {
  await migrate(pool, { set: 'mdm', dir: migrations, schema: 'mdm' });
  await pool.query(`
    INSERT INTO mdm.golden_record (master_id, entity_type, attributes, active) VALUES
      ('cust-0001', 'customer', '{"name": "Acme NV", "taxId": "BE0123456789", "primaryEmail": "info@acme.example",
        "domain": "acme.example", "phone": "+32 2 123 45 67", "street": "Rue Haute 1", "city": "Brussels",
        "postcode": "1000", "country": "BE"}', true),
      ('cust-0002', 'customer', '{"name": "Bolt BV", "taxId": null}', true),
      ('cust-0003', 'customer', '{"name": "Acme (old)"}', false),
      ('prod-0001', 'product', '{"sku": "BOLT-M8", "gtin": "5400000000011", "name": "Steel bolt M8", "listPrice": 0.25,
        "manufacturer": "Fastco", "description": "Zinc plated"}', true),
      ('prod-0002', 'product', '{"sku": "WASH-8", "name": "Washer 8 mm"}', true);
    INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule, linked_at) VALUES
      ('customer', 'erp', '1', 'cust-0001', NULL, 'founder', '2026-01-10 08:00:00+00'),
      ('customer', 'erp', '2', 'cust-0001', 0.97, 'name+taxId', '2026-01-10 08:00:01+00'),
      ('customer', 'crm', '501', 'cust-0001', 0.93, 'name+domain', '2026-01-10 08:00:02+00'),
      ('customer', 'erp', '4', 'cust-0002', NULL, 'founder', '2026-01-10 08:00:00+00'),
      ('product', 'erp', '1', 'prod-0001', NULL, 'founder', '2026-01-10 08:00:00+00'),
      ('product', 'crm', '9', 'prod-0001', 1, 'sku', '2026-01-10 08:00:00+00'),
      ('product', 'erp', '2', 'prod-0002', NULL, 'founder', '2026-01-10 08:00:00+00');

    INSERT INTO mdm.golden_record (master_id, entity_type, attributes)
      SELECT 'cust-' || (1000 + i), 'customer', jsonb_build_object('name', 'Bulk company ' || i) FROM generate_series(1, 20) i;
    INSERT INTO mdm.xref (entity_type, system, source_id, master_id, score, rule)
      SELECT 'customer', s.system, (CASE s.system WHEN 'erp' THEN 100 + i ELSE 9000 + i END)::text, 'cust-' || (1000 + i), NULL, 'founder'
        FROM generate_series(1, 20) i, (VALUES ('erp'), ('crm')) AS s(system);
  `);
}
