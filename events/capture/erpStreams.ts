import type pg from 'pg';
import { ERP_CUSTOMER_COLUMNS, ERP_PRODUCT_COLUMNS, erpCustomerFromRow, erpProductFromRow } from '../../mdm/load/erpReader.js';
import { quoteIdent } from '../../platform/db/index.js';
import type { CapturedChange } from '../change.js';

/** A watermark: the last (write_date, id) captured, write_date as Odoo's UTC text with microseconds. */
export interface Watermark {
  writeDate: string;
  id: number;
}

/** One ERP table (or join) the MDM reads records from, as both captures read it. */
export interface ErpStream {
  /** e.g. erp:res_partner — the position's name in mdm.capture_position. */
  source: string;
  objectType: string;
  entityType: 'customer' | 'product';
  /** The rows changed after (writeDate, id), oldest first; `live` false = the record left (archived, no longer a customer). */
  changedAfter(db: pg.Pool, after: Watermark, limit: number): Promise<Record<string, any>[]>;
  /** The (id, write_date) of rows in [from, to]: the lookback for late commits. */
  recentUpTo(db: pg.Pool, from: string, to: Watermark): Promise<{ id: number; wd: string }[]>;
  byIds(db: pg.Pool, ids: number[]): Promise<Record<string, any>[]>;
  toRecord(row: Record<string, any>): CapturedChange['record'];
  /** The newest (write_date, id) now: where a fresh capture starts after the initial load read everything. */
  head(db: pg.Pool): Promise<Watermark>;
}

const WD = `'YYYY-MM-DD"T"HH24:MI:SS.US'`;

export function erpStreams(schema: string): ErpStream[] {
  const s = quoteIdent(schema);
  // A company that stops being a customer (archived, rank 0) leaves the MDM: Odoo archives rather than deletes.
  const customers = `
    SELECT ${ERP_CUSTOMER_COLUMNS}, to_char(p.write_date, ${WD}) AS wd, (p.active AND p.customer_rank > 0) AS live
      FROM ${s}.res_partner p LEFT JOIN ${s}.res_country c ON c.id = p.country_id
     WHERE p.is_company`;
  const products = `
    SELECT * FROM (
      SELECT ${ERP_PRODUCT_COLUMNS}, to_char(GREATEST(pp.write_date, pt.write_date), ${WD}) AS wd, (pp.active AND pt.active) AS live
        FROM ${s}.product_product pp JOIN ${s}.product_template pt ON pt.id = pp.product_tmpl_id) v`;
  const keyset = (alias: string, wd: string) => `(${wd}, ${alias}.id) > ($1::timestamp, $2::int) ORDER BY ${wd}, ${alias}.id LIMIT $3`;
  return [
    {
      source: 'erp:res_partner', objectType: 'res_partner', entityType: 'customer',
      changedAfter: async (db, after, limit) => (await db.query(`${customers} AND ${keyset('p', 'p.write_date')}`, [after.writeDate, after.id, limit])).rows,
      recentUpTo: async (db, from, to) => (await db.query(
        `SELECT id, to_char(write_date, ${WD}) AS wd FROM ${s}.res_partner
          WHERE is_company AND write_date >= $1::timestamp AND (write_date, id) <= ($2::timestamp, $3::int)`, [from, to.writeDate, to.id])).rows,
      byIds: async (db, ids) => (await db.query(`${customers} AND p.id = ANY($1::int[])`, [ids])).rows,
      toRecord: (row) => erpCustomerFromRow(row),
      head: async (db) => headOf((await db.query(`SELECT to_char(write_date, ${WD}) AS wd, id FROM ${s}.res_partner WHERE is_company ORDER BY write_date DESC, id DESC LIMIT 1`)).rows[0]),
    },
    {
      source: 'erp:product_product', objectType: 'product_product', entityType: 'product',
      changedAfter: async (db, after, limit) => (await db.query(`${products} WHERE ${keyset('v', 'v.write_date')}`, [after.writeDate, after.id, limit])).rows,
      recentUpTo: async (db, from, to) => (await db.query(
        `SELECT id, wd FROM (SELECT pp.id, GREATEST(pp.write_date, pt.write_date) AS w, to_char(GREATEST(pp.write_date, pt.write_date), ${WD}) AS wd
           FROM ${s}.product_product pp JOIN ${s}.product_template pt ON pt.id = pp.product_tmpl_id) v
          WHERE v.w >= $1::timestamp AND (v.w, v.id) <= ($2::timestamp, $3::int)`, [from, to.writeDate, to.id])).rows,
      byIds: async (db, ids) => (await db.query(`${products} WHERE v.id = ANY($1::int[])`, [ids])).rows,
      toRecord: (row) => erpProductFromRow(row),
      head: async (db) => headOf((await db.query(
        `SELECT to_char(GREATEST(pp.write_date, pt.write_date), ${WD}) AS wd, pp.id FROM ${s}.product_product pp
           JOIN ${s}.product_template pt ON pt.id = pp.product_tmpl_id ORDER BY GREATEST(pp.write_date, pt.write_date) DESC, pp.id DESC LIMIT 1`)).rows[0]),
    },
  ];
}

const ORIGIN: Watermark = { writeDate: '1970-01-01T00:00:00.000000', id: 0 };
const headOf = (row: { wd: string; id: number } | undefined): Watermark => (row ? { writeDate: row.wd, id: Number(row.id) } : ORIGIN);

