import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/index.js';

const migrations = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../sandbox/erp/migrations');

/**
 * A small Odoo database for the ERP subgraph's tests, written by hand so each
 * expected number can be checked by eye:
 *
 * - Acme is two company partners (1 and 2, true duplicates the MDM merged)
 *   plus a contact (3) under partner 1 who placed the newest order; Bolt is
 *   partner 4.
 * - BOLT-M8 has 10 (2 reserved) + 5 on hand in two internal locations and
 *   100 at a customer location (not stock); WASH-8 has no quants.
 * - Invoices relative to today: overdue, not yet due, paid, draft, a vendor
 *   bill, and one due today (not overdue).
 * - Bulk companies 101..120, each with 2 orders of 2 lines and one overdue
 *   invoice: the batching checks grow the number of customers over them.
 */
export async function installErpFixture(pool: pg.Pool): Promise<void> {
  await migrate(pool, { set: 'erp', dir: migrations, schema: 'erp' });
  await pool.query(`
    INSERT INTO erp.res_currency (id, name, symbol) VALUES (1, 'EUR', '€');
    INSERT INTO erp.res_partner (id, name, is_company, parent_id, credit_limit) VALUES
      (1, 'Acme NV', true, NULL, 1000),
      (2, 'ACME N.V.', true, NULL, 5000),
      (3, 'Jan Peeters', false, 1, NULL),
      (4, 'Bolt BV', true, NULL, NULL);
    INSERT INTO erp.product_template (id, name, list_price) VALUES
      (1, '{"en_US": "Steel bolt M8"}', 0.25),
      (2, '{"en_US": "Washer 8 mm"}', 0.05);
    INSERT INTO erp.product_product (id, product_tmpl_id, default_code, barcode) VALUES
      (1, 1, 'BOLT-M8', '5400000000011'),
      (2, 2, 'WASH-8', NULL);
    INSERT INTO erp.stock_location (id, name, usage) VALUES
      (1, 'WH/Stock', 'internal'), (2, 'WH/Shelf 2', 'internal'), (3, 'Partners/Customers', 'customer');
    INSERT INTO erp.stock_quant (product_id, location_id, quantity, reserved_quantity) VALUES
      (1, 1, 10, 2), (1, 2, 5, 0), (1, 3, 100, 0);
    INSERT INTO erp.sale_order (id, name, partner_id, date_order, state, amount_total, currency_id) VALUES
      (1, 'S00001', 1, '2026-01-01 10:00', 'sale', 100, 1),
      (2, 'S00002', 2, '2026-01-02 10:00', 'sale', 200, 1),
      (3, 'S00003', 1, '2026-01-03 10:00', 'sale', 300, 1),
      (4, 'S00004', 2, '2026-01-04 10:00', 'draft', 400, 1),
      (5, 'S00005', 3, '2026-01-05 10:00', 'sale', 500, 1),
      (6, 'S00006', 4, '2026-01-06 10:00', 'sale', 600, 1);
    INSERT INTO erp.sale_order_line (order_id, sequence, product_id, name, product_uom_qty, price_unit, price_subtotal)
      SELECT o, 10, 1, 'Steel bolt M8', 4, 0.25, 1.00 FROM generate_series(1, 6) o
      UNION ALL SELECT o, 20, 2, 'Washer 8 mm', 10, 0.05, 0.50 FROM generate_series(1, 6) o
      UNION ALL SELECT 5, 30, NULL, 'Deliver to the back door', 0, 0, 0;
    INSERT INTO erp.account_move (id, name, move_type, state, partner_id, invoice_date, invoice_date_due,
                                  amount_total, amount_residual, payment_state, currency_id) VALUES
      (1, 'INV/2026/00001', 'out_invoice', 'posted', 1, current_date - 40, current_date - 10, 100, 50, 'partial', 1),
      (2, 'INV/2026/00002', 'out_invoice', 'posted', 1, current_date - 5, current_date + 25, 30, 30, 'not_paid', 1),
      (3, 'INV/2026/00003', 'out_invoice', 'posted', 1, current_date - 60, current_date - 30, 80, 0, 'paid', 1),
      (4, 'INV/2026/00004', 'out_invoice', 'draft', 1, NULL, current_date - 30, 70, 70, 'not_paid', 1),
      (5, 'INV/2026/00005', 'out_invoice', 'posted', 2, current_date - 50, current_date - 20, 20, 20, 'not_paid', 1),
      (6, 'BILL/2026/00001', 'in_invoice', 'posted', 2, current_date - 50, current_date - 20, 999, 999, 'not_paid', 1),
      (7, 'INV/2026/00006', 'out_invoice', 'posted', 4, current_date - 3, current_date, 60, 60, 'not_paid', 1);

    INSERT INTO erp.res_partner (id, name, is_company, credit_limit)
      SELECT 100 + i, 'Bulk company ' || i, true, i * 100 FROM generate_series(1, 20) i;
    INSERT INTO erp.sale_order (id, name, partner_id, date_order, state, amount_total, currency_id)
      SELECT 1000 + i * 2 + k, 'SB' || (1000 + i * 2 + k), 100 + i,
             timestamp '2026-02-01' + (i * 2 + k) * interval '1 hour', 'sale', 10, 1
        FROM generate_series(1, 20) i, generate_series(0, 1) k;
    INSERT INTO erp.sale_order_line (order_id, sequence, product_id, name, product_uom_qty, price_unit, price_subtotal)
      SELECT so.id, 10 * j, j, 'Bulk line', 1, 1, 1 FROM erp.sale_order so, generate_series(1, 2) j WHERE so.id >= 1000;
    INSERT INTO erp.account_move (id, name, move_type, state, partner_id, invoice_date, invoice_date_due,
                                  amount_total, amount_residual, payment_state, currency_id)
      SELECT 100 + i, 'INV/BULK/' || i, 'out_invoice', 'posted', 100 + i, current_date - 40, current_date - 10, 10, 10, 'not_paid', 1
        FROM generate_series(1, 20) i;
  `);
}
