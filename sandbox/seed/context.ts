import type { CountryCode, CountryProfile } from './countries.js';
import { RowBuffer } from './bulkInsert.js';
import { ReconLedger } from './reconTruth.js';
import { TABLES, TABLE_ORDER, type TableKey } from './tables.js';

/**
 * The state one seed run carries while it generates: the row buffers, the id
 * counters (ids are assigned here, in generation order, never by the
 * database, so they are the same on every run), the lookup tables built
 * early (countries, currencies, the product catalogue each system holds) and
 * the clock every date is measured from.
 */
export const CRM_FIRST_ID = 10_000_001;

export type CrmObjectType = 'companies' | 'contacts' | 'deals' | 'tickets' | 'products' | 'line_items';

export interface ErpCatalogEntry {
  productId: number;
  sku: string;
  name: string;
  priceCents: number;
}

export interface CrmCatalogEntry {
  id: number;
  sku: string;
  name: string;
  priceCents: number;
}

export class SeedContext {
  readonly buffers = Object.fromEntries(TABLE_ORDER.map((key) => [key, new RowBuffer(TABLES[key])])) as Record<TableKey, RowBuffer>;
  readonly countryIds = {} as Record<CountryCode, number>;
  readonly currencyIds = { EUR: 1, USD: 2 } as const;
  readonly erpCatalog: ErpCatalogEntry[] = [];
  readonly crmCatalog: CrmCatalogEntry[] = [];
  private readonly erpIds = new Map<string, number>();
  private readonly crmIds = new Map<CrmObjectType, number>();
  private readonly invoiceNumbers = new Map<number, number>();
  private orderNumber = 0;

  constructor(
    readonly seed: number,
    /** UTC midnight of the reference day, in epoch milliseconds. */
    readonly reference: number,
    readonly countries: Record<CountryCode, CountryProfile>,
  ) {
    this.ledger = new ReconLedger(reference);
  }

  /** What the reconciliation jobs must find, worked out as records are written (see reconTruth.ts). */
  readonly ledger: ReconLedger;

  /** Moves a complete company's (or, with no id, the catalogue's) expected findings into the truth buffer. */
  settleReconciliation(truthId?: string): void {
    const found = truthId === undefined ? this.ledger.settleProducts() : this.ledger.settleCompany(truthId);
    for (const f of found) this.buffers.reconTruth.push(f.kind, f.key, f.planted);
  }

  /** The next id of an ERP table (1, 2, 3, …). */
  nextErpId(table: 'partner' | 'template' | 'product' | 'quant' | 'order' | 'orderLine' | 'invoice'): number {
    const id = (this.erpIds.get(table) ?? 0) + 1;
    this.erpIds.set(table, id);
    return id;
  }

  /** The next HubSpot-style object id of a CRM type (10000001, 10000002, … per type). */
  nextCrmId(type: CrmObjectType): number {
    const id = this.crmIds.get(type) ?? CRM_FIRST_ID;
    this.crmIds.set(type, id + 1);
    return id;
  }

  /** Odoo's sale order sequence: S00001, S00002, … */
  nextOrderName(): string {
    this.orderNumber += 1;
    return `S${String(this.orderNumber).padStart(5, '0')}`;
  }

  /** Odoo's customer invoice sequence, restarting each year: INV/2026/00001. */
  nextInvoiceName(year: number): string {
    const n = (this.invoiceNumbers.get(year) ?? 0) + 1;
    this.invoiceNumbers.set(year, n);
    return `INV/${year}/${String(n).padStart(5, '0')}`;
  }

  currencyOf(country: CountryProfile): number {
    return this.currencyIds[country.currency];
  }

  /**
   * A moment on the day `days` days before the reference day's eve, `secondOfDay`
   * seconds after its midnight: day 0 is the last whole day before the
   * reference, so past events never fall after the reference midnight.
   * Negative days reach into the future (expected close dates, due dates).
   */
  at(days: number, secondOfDay = 0): number {
    return this.reference - (days + 1) * DAY + secondOfDay * 1000;
  }
}

export const DAY = 86_400_000;

/** Odoo's `timestamp without time zone` columns hold UTC: "2026-03-01 14:05:09". */
export function sqlTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

export function sqlDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** HubSpot's property format for datetimes: ISO 8601 with milliseconds, UTC. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Exact decimal string of an amount in cents ("1234.50"), for numeric columns and CRM properties. */
export function money(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.trunc(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
