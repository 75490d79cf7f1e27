import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/index.js';

/**
 * Small hand-made ERP and CRM fixtures for the MDM tests: the same companies
 * and products as each system would hold them (legal forms, case, website
 * forms, phone formats differ), plus records that must not match.
 */
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function seedErpFixture(pool: pg.Pool): Promise<void> {
  await migrate(pool, { set: 'erp', dir: path.join(root, 'sandbox', 'erp', 'migrations'), schema: 'erp' });
  await pool.query(`INSERT INTO erp.res_country (id, name, code, phone_code) VALUES
    (1, '{"en_US":"Belgium"}', 'BE', 32), (2, '{"en_US":"Germany"}', 'DE', 49) ON CONFLICT DO NOTHING`);
  await pool.query(`INSERT INTO erp.res_partner (id, name, vat, email, phone, website, street, city, zip, country_id, is_company, customer_rank, write_date) VALUES
    (1, 'Acme Industries GmbH', 'DE136695976', 'info@acme-industries.de', '030 1234567', 'https://www.acme-industries.de', 'Hauptstraße 5', 'Berlin', '10115', 2, true, 1, '2026-01-01'),
    (2, 'Bolt & Nut NV', 'BE0417497106', 'sales@boltnut.be', '+32 2 555 12 34', 'boltnut.be', 'Rue Haute 10', 'Bruxelles', '1000', 1, true, 3, '2026-02-01'),
    (3, 'Zenith Tools SA', NULL, 'contact@zenith-tools.be', NULL, NULL, 'Avenue Louise 200', 'Bruxelles', '1050', 1, true, 1, '2026-01-15'),
    (4, 'Supplier Only BV', 'BE0999999999', NULL, NULL, NULL, NULL, NULL, NULL, 1, true, 0, '2026-01-15'),
    (5, 'Jane Doe', NULL, 'jane@acme-industries.de', NULL, NULL, NULL, NULL, NULL, 2, false, 1, '2026-01-15')
    ON CONFLICT DO NOTHING`);
  await pool.query(`INSERT INTO erp.product_template (id, name, description_sale, list_price) VALUES
    (1, '{"en_US":"Steel bolt M8"}', '{"en_US":"Zinc plated steel bolt, M8 x 40"}', 0.35),
    (2, '{"en_US":"Hex nut M8"}', NULL, 0.10),
    (3, '{"en_US":"Cordless drill 18V"}', NULL, 129.00) ON CONFLICT DO NOTHING`);
  await pool.query(`INSERT INTO erp.product_product (id, product_tmpl_id, default_code, barcode) VALUES
    (1, 1, 'BOLT-M8-40', '4006381333931'), (2, 2, 'NUT-M8', NULL), (3, 3, 'DRILL-18V', '5012345678900') ON CONFLICT DO NOTHING`);
}

/** CRM objects as the HubSpot stand-in stores them (crm.objects). */
export const CRM_OBJECTS: { type: 'companies' | 'products'; id: number; properties: Record<string, string> }[] = [
  { type: 'companies', id: 101, properties: { name: 'ACME INDUSTRIES', domain: 'acme-industries.de', vat: 'DE 136 695 976', phone: '+49 30 1234567', city: 'Berlin', country: 'Germany' } },
  { type: 'companies', id: 102, properties: { name: 'Bolt and Nut', domain: 'www.boltnut.be', phone: '02 555 12 34', city: 'Brussels', country: 'Belgium' } },
  { type: 'companies', id: 103, properties: { name: 'Northwind Traders', domain: 'northwind.example', city: 'London', country: 'United Kingdom' } },
  { type: 'products', id: 201, properties: { name: 'Steel Bolt M8', hs_sku: 'bolt-m8-40', price: '0.39', gtin: '4006381333931' } },
  { type: 'products', id: 202, properties: { name: 'Garden hose 20m', hs_sku: 'HOSE-20', price: '24.90' } },
];

export async function seedCrmFixture(pool: pg.Pool, objects = CRM_OBJECTS): Promise<void> {
  await migrate(pool, { set: 'crm', dir: path.join(root, 'sandbox', 'crm', 'migrations'), schema: 'crm' });
  for (const o of objects) {
    await pool.query(
      `INSERT INTO crm.objects (object_type, id, properties, updated_at) VALUES ($1, $2, $3::jsonb, '2026-03-01T00:00:00Z')
       ON CONFLICT (object_type, id) DO UPDATE SET properties = excluded.properties`,
      [o.type, o.id, JSON.stringify(o.properties)],
    );
  }
}
