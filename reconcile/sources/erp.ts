import type pg from 'pg';
import { quoteIdent } from '../../platform/db/index.js';
import { ReconError } from '../errors.js';

/**
 * Reads the Odoo-shaped ERP tables, read-only, in a few set-wise statements
 * (one per question, whatever the number of customers). Instants come back as
 * epoch milliseconds computed by SQL: Odoo's `timestamp without time zone`
 * holds UTC, and letting pg turn it into a JS Date would shift it by the
 * process's time zone. Amounts come back as integer cents.
 */
export interface ErpSale {
  partnerId: string;
  kind: 'order' | 'invoice';
  name: string;
  at: number;
  cents: number;
  currency: string | null;
}

/** Confirmed sale orders (state 'sale') and posted customer invoices, per partner. */
export async function readErpSales(pool: pg.Pool, schema: string): Promise<ErpSale[]> {
  const s = quoteIdent(schema);
  const rows = await query<{ partner_id: number; kind: 'order' | 'invoice'; name: string; at: string; cents: string; currency: string | null }>(pool, `
    SELECT o.partner_id, 'order' AS kind, o.name, (extract(epoch FROM o.date_order) * 1000)::bigint AS at,
           round(o.amount_total * 100)::bigint AS cents, c.name AS currency
      FROM ${s}.sale_order o LEFT JOIN ${s}.res_currency c ON c.id = o.currency_id
     WHERE o.state = 'sale'
    UNION ALL
    SELECT m.partner_id, 'invoice', m.name, ((m.invoice_date - date '1970-01-01')::bigint * 86400000),
           round(m.amount_total * 100)::bigint, c.name
      FROM ${s}.account_move m LEFT JOIN ${s}.res_currency c ON c.id = m.currency_id
     WHERE m.move_type = 'out_invoice' AND m.state = 'posted' AND m.invoice_date IS NOT NULL`);
  return rows.map((r) => ({ partnerId: String(r.partner_id), kind: r.kind, name: r.name, at: Number(r.at), cents: Number(r.cents), currency: r.currency }));
}

export interface ErpPartner {
  id: string;
  name: string;
  writtenAt: number;
}

/** Customer companies (as the MDM reads them) with their last write instant. */
export async function readErpCustomers(pool: pg.Pool, schema: string): Promise<ErpPartner[]> {
  const s = quoteIdent(schema);
  const rows = await query<{ id: number; name: string; written_at: string }>(pool, `
    SELECT id, name, (extract(epoch FROM coalesce(write_date, create_date)) * 1000)::bigint AS written_at
      FROM ${s}.res_partner WHERE is_company AND customer_rank > 0 AND active`);
  return rows.map((r) => ({ id: String(r.id), name: r.name, writtenAt: Number(r.written_at) }));
}

async function query<T extends pg.QueryResultRow>(pool: pg.Pool, sql: string): Promise<T[]> {
  try {
    return (await pool.query<T>(sql)).rows;
  } catch (error) {
    throw new ReconError('RECON_SOURCE_UNAVAILABLE', `reading the ERP database failed: ${(error as Error).message}`, { source: 'erp' });
  }
}
