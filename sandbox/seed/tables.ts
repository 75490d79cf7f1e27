import type { TableSpec } from './bulkInsert.js';

/**
 * The columns the seed writes, per table, in dependency order (a table's
 * foreign keys point only to tables listed before it). Ids are assigned by
 * the generator, and the serial sequences are moved past them afterwards.
 * Date columns are always written explicitly, never left to now(), so that
 * the same seed on the same reference date gives identical rows.
 */
export const TABLES = {
  currency: { table: 'erp.res_currency', columns: [['id', 'int4'], ['name', 'text'], ['symbol', 'text'], ['active', 'bool']] },
  country: { table: 'erp.res_country', columns: [['id', 'int4'], ['name', 'jsonb'], ['code', 'text'], ['phone_code', 'int4']] },
  location: { table: 'erp.stock_location', columns: [['id', 'int4'], ['name', 'text'], ['complete_name', 'text'], ['usage', 'text'], ['active', 'bool']] },
  productTemplate: {
    table: 'erp.product_template',
    columns: [['id', 'int4'], ['name', 'jsonb'], ['description_sale', 'jsonb'], ['type', 'text'], ['is_storable', 'bool'], ['list_price', 'numeric'], ['active', 'bool'], ['create_date', 'timestamp'], ['write_date', 'timestamp']],
  },
  product: {
    table: 'erp.product_product',
    columns: [['id', 'int4'], ['product_tmpl_id', 'int4'], ['default_code', 'text'], ['barcode', 'text'], ['active', 'bool'], ['create_date', 'timestamp'], ['write_date', 'timestamp']],
  },
  quant: {
    table: 'erp.stock_quant',
    columns: [['id', 'int4'], ['product_id', 'int4'], ['location_id', 'int4'], ['quantity', 'numeric'], ['reserved_quantity', 'numeric'], ['in_date', 'timestamp'], ['write_date', 'timestamp']],
  },
  partner: {
    table: 'erp.res_partner',
    columns: [
      ['id', 'int4'], ['name', 'text'], ['complete_name', 'text'], ['ref', 'text'], ['vat', 'text'], ['email', 'text'], ['phone', 'text'], ['website', 'text'],
      ['street', 'text'], ['city', 'text'], ['zip', 'text'], ['country_id', 'int4'], ['is_company', 'bool'], ['commercial_partner_id', 'int4'], ['type', 'text'],
      ['customer_rank', 'int4'], ['credit_limit', 'numeric'], ['lang', 'text'], ['active', 'bool'], ['create_date', 'timestamp'], ['write_date', 'timestamp'],
    ],
  },
  order: {
    table: 'erp.sale_order',
    columns: [
      ['id', 'int4'], ['name', 'text'], ['partner_id', 'int4'], ['date_order', 'timestamp'], ['state', 'text'], ['amount_untaxed', 'numeric'], ['amount_tax', 'numeric'],
      ['amount_total', 'numeric'], ['currency_id', 'int4'], ['client_order_ref', 'text'], ['create_date', 'timestamp'], ['write_date', 'timestamp'],
    ],
  },
  orderLine: {
    table: 'erp.sale_order_line',
    columns: [
      ['id', 'int4'], ['order_id', 'int4'], ['sequence', 'int4'], ['product_id', 'int4'], ['name', 'text'], ['product_uom_qty', 'numeric'], ['price_unit', 'numeric'],
      ['price_subtotal', 'numeric'], ['price_total', 'numeric'],
    ],
  },
  invoice: {
    table: 'erp.account_move',
    columns: [
      ['id', 'int4'], ['name', 'text'], ['move_type', 'text'], ['state', 'text'], ['partner_id', 'int4'], ['invoice_date', 'date'], ['invoice_date_due', 'date'],
      ['invoice_origin', 'text'], ['amount_untaxed', 'numeric'], ['amount_tax', 'numeric'], ['amount_total', 'numeric'], ['amount_residual', 'numeric'],
      ['payment_state', 'text'], ['currency_id', 'int4'], ['create_date', 'timestamp'], ['write_date', 'timestamp'],
    ],
  },
  crmObject: {
    table: 'crm.objects',
    columns: [['object_type', 'text'], ['id', 'int8'], ['properties', 'jsonb'], ['created_at', 'timestamptz'], ['updated_at', 'timestamptz'], ['archived', 'bool']],
  },
  crmAssociation: {
    table: 'crm.associations',
    columns: [['from_type', 'text'], ['from_id', 'int8'], ['to_type', 'text'], ['to_id', 'int8'], ['type_id', 'int4'], ['category', 'text'], ['label', 'text']],
  },
  truth: { table: 'truth.entity', columns: [['entity_type', 'text'], ['system', 'text'], ['source_id', 'text'], ['truth_id', 'text']] },
  reconTruth: { table: 'truth.recon_finding', columns: [['kind', 'text'], ['finding_key', 'text'], ['planted', 'bool']] },
} as const satisfies Record<string, TableSpec>;

export type TableKey = keyof typeof TABLES;

/** Insert order: every foreign key points to an earlier table. */
export const TABLE_ORDER: readonly TableKey[] = [
  'currency', 'country', 'location', 'productTemplate', 'product', 'quant', 'partner', 'order', 'orderLine', 'invoice', 'crmObject', 'crmAssociation', 'truth', 'reconTruth',
];

/** Tables with a serial id whose sequence must be moved past the generated ids. */
export const SERIAL_TABLES: readonly string[] = [
  'erp.res_currency', 'erp.res_country', 'erp.stock_location', 'erp.product_template', 'erp.product_product', 'erp.stock_quant',
  'erp.res_partner', 'erp.sale_order', 'erp.sale_order_line', 'erp.account_move',
];

/** Everything a reset empties (truth.seed_run too: it describes the data being removed). */
export const RESET_TABLES: readonly string[] = [
  ...SERIAL_TABLES, 'crm.objects', 'crm.associations', 'truth.entity', 'truth.recon_finding', 'truth.seed_run',
];
