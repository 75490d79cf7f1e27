import type DataLoader from 'dataloader';
import { createSourceLoader, groupBy, type SourceRequestListener } from '../../platform/index.js';
import type { ErpDatabase, InvoiceRow, OrderLineRow, OrderRow } from './erpDatabase.js';

export interface Stock {
  onHand: number;
  reserved: number;
  available: number;
}

/**
 * One set per request (never shared across callers): each loader turns the
 * keys asked for in one tick into one SQL statement.
 */
export interface ErpLoaders {
  /** Key `${last}:${partnerId}`: `last` is part of the key because it shapes the statement's window. */
  ordersByPartner: DataLoader<string, OrderRow[]>;
  linesByOrder: DataLoader<number, OrderLineRow[]>;
  /** list_price by SKU; null when the ERP has no such product. */
  listPriceBySku: DataLoader<string, number | null>;
  stockBySku: DataLoader<string, Stock | null>;
  invoicesByPartner: DataLoader<number, InvoiceRow[]>;
  /** credit_limit by partner id; null when unset or no such partner. */
  creditLimitByPartner: DataLoader<number, number | null>;
}

export function ordersKey(partnerId: number, last: number): string {
  return `${last}:${partnerId}`;
}

function parseOrdersKey(key: string): { partnerId: number; last: number } {
  const [last, partnerId] = key.split(':').map(Number);
  return { partnerId, last };
}

export function createErpLoaders(db: ErpDatabase, onSourceRequest?: SourceRequestListener): ErpLoaders {
  const source = 'erp';
  return {
    ordersByPartner: createSourceLoader<string, OrderRow[]>({
      source,
      operation: 'orders.byPartner',
      onSourceRequest,
      missing: () => [],
      fetchMany: async (keys) => {
        const rows = await db.ordersByPartner(keys.map(parseOrdersKey));
        return groupBy(rows, (row) => ordersKey(row.key_id, row.lim));
      },
    }),
    linesByOrder: createSourceLoader<number, OrderLineRow[]>({
      source,
      operation: 'orderLines.byOrder',
      onSourceRequest,
      missing: () => [],
      fetchMany: async (orderIds) => groupBy(await db.linesByOrder(orderIds), (row) => row.order_id),
    }),
    listPriceBySku: createSourceLoader<string, number | null>({
      source,
      operation: 'products.bySku',
      onSourceRequest,
      missing: () => null,
      fetchMany: async (skus) => new Map((await db.productsBySku(skus)).map((row) => [row.sku, row.list_price])),
    }),
    stockBySku: createSourceLoader<string, Stock | null>({
      source,
      operation: 'stock.bySku',
      onSourceRequest,
      missing: () => null,
      fetchMany: async (skus) =>
        new Map(
          (await db.stockBySku(skus)).map((row) => [
            row.sku,
            { onHand: row.on_hand, reserved: row.reserved, available: row.on_hand - row.reserved },
          ]),
        ),
    }),
    invoicesByPartner: createSourceLoader<number, InvoiceRow[]>({
      source,
      operation: 'invoices.byPartner',
      onSourceRequest,
      missing: () => [],
      fetchMany: async (partnerIds) => groupBy(await db.invoicesByPartner(partnerIds), (row) => row.key_id),
    }),
    creditLimitByPartner: createSourceLoader<number, number | null>({
      source,
      operation: 'partners.byId',
      onSourceRequest,
      missing: () => null,
      fetchMany: async (partnerIds) =>
        new Map((await db.partnersById(partnerIds)).map((row) => [row.id, row.credit_limit])),
    }),
  };
}
