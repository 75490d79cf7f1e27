import type pg from 'pg';
import { quoteIdent } from '../../platform/db/index.js';
import { MdmError } from '../errors.js';
import type { SourceRecord } from '../types.js';

/**
 * Reads the MDM's source records from an Odoo-shaped ERP database: companies
 * that are customers (res_partner.is_company and customer_rank > 0) and
 * product variants (product_product joined to product_template; Odoo keeps
 * the SKU in default_code and the GTIN in barcode). Read-only.
 */
export interface ErpReaderOptions {
  /** The schema holding Odoo's tables: "erp" in the sandbox, "public" in a real Odoo. @default 'erp' */
  schema?: string;
  /** The system name recorded in the xref. @default 'erp' */
  system?: string;
}

export async function readErpCustomers(pool: pg.Pool, options: ErpReaderOptions = {}): Promise<SourceRecord[]> {
  const s = quoteIdent(options.schema ?? 'erp');
  const system = options.system ?? 'erp';
  const rows = await query(pool, `
    SELECT ${ERP_CUSTOMER_COLUMNS}
      FROM ${s}.res_partner p
      LEFT JOIN ${s}.res_country c ON c.id = p.country_id
     WHERE p.is_company AND p.customer_rank > 0 AND p.active
     ORDER BY p.id`);
  return rows.map((r) => erpCustomerFromRow(r, system));
}

/** res_partner columns a customer is read from (alias p, res_country c): the change capture selects the same. */
export const ERP_CUSTOMER_COLUMNS = 'p.id, p.name, p.vat, p.email, p.phone, p.mobile, p.website, p.street, p.street2, p.city, p.zip, c.code AS country, p.write_date';

/** One res_partner row (ERP_CUSTOMER_COLUMNS) as a customer source record. */
export function erpCustomerFromRow(r: Record<string, any>, system = 'erp'): SourceRecord {
  return {
    entityType: 'customer',
    system,
    sourceId: String(r.id),
    attributes: {
      name: r.name,
      taxId: r.vat,
      primaryEmail: r.email,
      // Odoo has no domain field: the website says it, else the email's domain.
      domain: r.website ?? r.email,
      phone: r.phone ?? r.mobile,
      street: [r.street, r.street2].filter(Boolean).join(', ') || null,
      city: r.city,
      postcode: r.zip,
      country: r.country,
    },
    updatedAt: toIso(r.write_date),
  };
}

export async function readErpProducts(pool: pg.Pool, options: ErpReaderOptions = {}): Promise<SourceRecord[]> {
  const s = quoteIdent(options.schema ?? 'erp');
  const system = options.system ?? 'erp';
  const rows = await query(pool, `
    SELECT ${ERP_PRODUCT_COLUMNS}
      FROM ${s}.product_product pp
      JOIN ${s}.product_template pt ON pt.id = pp.product_tmpl_id
     WHERE pp.active
     ORDER BY pp.id`);
  return rows.map((r) => erpProductFromRow(r, system));
}

/** product_product (pp) joined to product_template (pt) columns a product is read from. */
export const ERP_PRODUCT_COLUMNS = `pp.id, pp.default_code, pp.barcode, pt.name->>'en_US' AS name, pt.list_price,
           pt.description_sale->>'en_US' AS description, GREATEST(pp.write_date, pt.write_date) AS write_date`;

/** One product variant row (ERP_PRODUCT_COLUMNS) as a product source record. */
export function erpProductFromRow(r: Record<string, any>, system = 'erp'): SourceRecord {
  return {
    entityType: 'product',
    system,
    sourceId: String(r.id),
    attributes: {
      sku: r.default_code,
      gtin: r.barcode,
      name: r.name,
      listPrice: r.list_price === null ? null : Number(r.list_price),
      manufacturer: null,
      description: r.description,
    },
    updatedAt: toIso(r.write_date),
  };
}

async function query(pool: pg.Pool, sql: string): Promise<Record<string, any>[]> {
  try {
    return (await pool.query(sql)).rows;
  } catch (error) {
    throw new MdmError('MDM_SOURCE_UNAVAILABLE', `reading the ERP database failed: ${(error as Error).message}`, { source: 'erp' });
  }
}

/** Odoo's UTC "timestamp without time zone" as an ISO instant. */
export function toIso(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  // Odoo stores UTC in "timestamp without time zone"; pg parses it as local time.
  if (value instanceof Date) return new Date(value.getTime() - value.getTimezoneOffset() * 60_000).toISOString();
  return String(value);
}
