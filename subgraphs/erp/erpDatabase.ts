import type pg from 'pg';
import { quoteIdent, sourceError } from '../../platform/index.js';

/**
 * The batched reads the ERP subgraph makes of an Odoo database, one SQL
 * statement per call whatever the number of keys (`= ANY($1)` / `unnest`).
 *
 * Read-only by construction: this module is the only place the subgraph talks
 * to the ERP, and it issues SELECTs only. (A session-level
 * `default_transaction_read_only` is not an option: under PGlite every
 * connection shares one session, the sandbox's writers included.) Against a
 * real Odoo, connect as a role granted SELECT only.
 *
 * A partner's records include those of its direct contacts (res_partner rows
 * whose parent_id is the partner), as Odoo's own "Sales"/"Invoiced" views of a
 * company do: orders are often placed by a contact person of the company.
 */
export interface OrderRow {
  /** The partner id the row was asked for (a company; the order may be a contact's). */
  key_id: number;
  lim: number;
  id: string;
  number: string;
  date: string;
  state: string;
  total: number;
  currency: string | null;
}

export interface OrderLineRow {
  id: string;
  order_id: number;
  description: string;
  quantity: number;
  unit_price: number;
  subtotal: number;
  sku: string | null;
}

export interface ProductRow {
  sku: string;
  list_price: number;
}

export interface StockRow {
  sku: string;
  on_hand: number;
  reserved: number;
}

export interface InvoiceRow {
  key_id: number;
  id: string;
  number: string;
  date: string | null;
  due_date: string | null;
  total: number;
  amount_due: number;
  payment_state: string;
  currency: string | null;
  overdue: boolean;
}

export interface PartnerCreditRow {
  id: number;
  credit_limit: number | null;
}

export interface ErpDatabase {
  /** For each (partner, last): its last `last` orders (with its contacts'), newest first. */
  ordersByPartner(keys: readonly { partnerId: number; last: number }[]): Promise<OrderRow[]>;
  linesByOrder(orderIds: readonly number[]): Promise<OrderLineRow[]>;
  productsBySku(skus: readonly string[]): Promise<ProductRow[]>;
  stockBySku(skus: readonly string[]): Promise<StockRow[]>;
  /** Posted out_invoices of each partner and its contacts, newest first. */
  invoicesByPartner(partnerIds: readonly number[]): Promise<InvoiceRow[]>;
  partnersById(partnerIds: readonly number[]): Promise<PartnerCreditRow[]>;
  /** `select 1`: resolves when the database answers. */
  ping(): Promise<void>;
}

/** Odoo stores datetimes as UTC without a zone; print them as ISO 8601 UTC. */
const isoUtc = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
const isoDate = (column: string) => `to_char(${column}, 'YYYY-MM-DD')`;

/**
 * The partners whose records count for each wanted partner: itself and its
 * direct contacts. `wanted(partner_id, …)` must be defined before it.
 *
 * Looked up per wanted partner (LATERAL, by primary key and parent_id
 * index): joined as two sets, the planner hashed the wanted partners and
 * scanned all of res_partner twice for the merged calls of many customers
 * the gateway sends (ADR 0019) — on the bench's 1,739 partners, posted
 * invoices of 16 customers took 3.3 ms of CPU against 2.0 looked up.
 */
const members = (s: string, carry: string) => `
  SELECT DISTINCT w.partner_id AS key_id${carry}, m.id AS member_id
    FROM wanted w
    CROSS JOIN LATERAL (
      SELECT p.id FROM ${s}.res_partner p WHERE p.id = w.partner_id
      UNION ALL
      SELECT p.id FROM ${s}.res_partner p WHERE p.parent_id = w.partner_id
    ) m`;

export interface ErpDatabaseOptions {
  /**
   * Send each SELECT as a named prepared statement, parsed once per
   * connection (and, after five runs, planned once if PostgreSQL finds a
   * generic plan no worse); otherwise as the unnamed statement, parsed and
   * planned on every call. Off for PgBouncer in transaction mode before 1.21
   * (or without `max_prepared_statements`), where a connection's statements
   * are not where its next transaction runs. @default true
   */
  namedStatements?: boolean;
}

export function createErpDatabase(pool: pg.Pool, schemaName: string, options: ErpDatabaseOptions = {}): ErpDatabase {
  const s = quoteIdent(schemaName);
  const named = options.namedStatements ?? true;

  const statements = {
    ordersByPartner: `
      WITH wanted AS (SELECT * FROM unnest($1::int[], $2::int[]) AS w(partner_id, lim)),
      member AS (${members(s, ', w.lim')}),
      ranked AS (
        SELECT m.key_id, m.lim, so.id, so.name, so.date_order, so.state, so.amount_total, so.currency_id,
               row_number() OVER (PARTITION BY m.key_id, m.lim ORDER BY so.date_order DESC, so.id DESC) AS rn
          FROM member m JOIN ${s}.sale_order so ON so.partner_id = m.member_id
      )
      SELECT r.key_id, r.lim, r.id::text AS id, r.name AS number, ${isoUtc('r.date_order')} AS date, r.state,
             r.amount_total::float8 AS total, c.name AS currency
        FROM ranked r LEFT JOIN ${s}.res_currency c ON c.id = r.currency_id
       WHERE r.rn <= r.lim
       ORDER BY r.key_id, r.lim, r.rn`,
    linesByOrder: `
      SELECT l.id::text AS id, l.order_id, l.name AS description, l.product_uom_qty::float8 AS quantity,
             l.price_unit::float8 AS unit_price, l.price_subtotal::float8 AS subtotal, pp.default_code AS sku
        FROM ${s}.sale_order_line l LEFT JOIN ${s}.product_product pp ON pp.id = l.product_id
       WHERE l.order_id = ANY($1::int[])
       ORDER BY l.order_id, l.sequence, l.id`,
    // Odoo does not enforce unique default_codes: prefer the active variant, then the oldest.
    productsBySku: `
      SELECT DISTINCT ON (pp.default_code) pp.default_code AS sku, pt.list_price::float8 AS list_price
        FROM ${s}.product_product pp JOIN ${s}.product_template pt ON pt.id = pp.product_tmpl_id
       WHERE pp.default_code = ANY($1::text[])
       ORDER BY pp.default_code, pp.active DESC, pp.id`,
    // Every variant carrying the SKU counts; only internal locations hold stock
    // (customer, supplier, transit and virtual locations do not).
    stockBySku: `
      SELECT pp.default_code AS sku,
             COALESCE(sum(q.quantity), 0)::float8 AS on_hand,
             COALESCE(sum(q.reserved_quantity), 0)::float8 AS reserved
        FROM ${s}.product_product pp
        LEFT JOIN (${s}.stock_quant q JOIN ${s}.stock_location loc ON loc.id = q.location_id AND loc.usage = 'internal')
               ON q.product_id = pp.id
       WHERE pp.default_code = ANY($1::text[])
       GROUP BY pp.default_code`,
    invoicesByPartner: `
      WITH wanted AS (SELECT * FROM unnest($1::int[]) AS w(partner_id)),
      member AS (${members(s, '')})
      SELECT m.key_id, am.id::text AS id, am.name AS number, ${isoDate('am.invoice_date')} AS date,
             ${isoDate('am.invoice_date_due')} AS due_date, am.amount_total::float8 AS total,
             am.amount_residual::float8 AS amount_due, am.payment_state, c.name AS currency,
             (am.amount_residual > 0 AND am.invoice_date_due < current_date) AS overdue
        FROM member m
        JOIN ${s}.account_move am ON am.partner_id = m.member_id
        LEFT JOIN ${s}.res_currency c ON c.id = am.currency_id
       WHERE am.move_type = 'out_invoice' AND am.state = 'posted'
       ORDER BY m.key_id, am.invoice_date DESC NULLS LAST, am.id DESC`,
    partnersById: `
      SELECT p.id, p.credit_limit::float8 AS credit_limit
        FROM ${s}.res_partner p
       WHERE p.id = ANY($1::int[])`,
  };

  async function select<R extends pg.QueryResultRow>(operation: string, text: string, values: unknown[]): Promise<R[]> {
    try {
      // The operation names the statement: one text per operation, and a schema per pool.
      const query: pg.QueryConfig = named ? { name: `erp.${operation}`, text, values } : { text, values };
      return (await pool.query<R>(query)).rows;
    } catch (error) {
      throw erpUnavailable(operation, error);
    }
  }

  return {
    ordersByPartner: (keys) =>
      select('orders.byPartner', statements.ordersByPartner, [keys.map((k) => k.partnerId), keys.map((k) => k.last)]),
    linesByOrder: (orderIds) => select('orderLines.byOrder', statements.linesByOrder, [orderIds]),
    productsBySku: (skus) => select('products.bySku', statements.productsBySku, [skus]),
    stockBySku: (skus) => select('stock.bySku', statements.stockBySku, [skus]),
    invoicesByPartner: (partnerIds) => select('invoices.byPartner', statements.invoicesByPartner, [partnerIds]),
    partnersById: (partnerIds) => select('partners.byId', statements.partnersById, [partnerIds]),
    async ping() {
      await select('health', 'select 1', []);
    },
  };
}

/**
 * ERP_UNAVAILABLE: the database refused, failed or does not hold the tables
 * expected (wrong ERP_SCHEMA). The driver's message can name hosts, so the
 * client sees only the operation and the error code; the cause stays attached.
 */
function erpUnavailable(operation: string, error: unknown) {
  const reason = (error as { code?: string }).code;
  const failure = sourceError('erp', 'UNAVAILABLE', `the ERP database could not be read (${operation})`, {
    operation,
    ...(reason ? { reason } : {}),
  });
  failure.cause = error;
  return failure;
}
