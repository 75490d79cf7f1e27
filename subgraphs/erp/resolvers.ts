import { GraphQLError } from 'graphql';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { InvoiceRow, OrderLineRow, OrderRow } from './erpDatabase.js';
import { ordersKey, type ErpLoaders } from './loaders.js';

export interface ErpContext {
  loaders: ErpLoaders;
}

/** A Customer representation as the gateway sends it: the key plus the @requires fields. */
interface CustomerRepresentation {
  id: string;
  erpPartnerIds?: readonly string[] | null;
}

interface ProductReference {
  sku: string;
}

/** `orders(last)` bounds: 100 keeps one customer's answer, and its window, small. */
export const MAX_ORDERS_LAST = 100;

const INT4_MAX = 2_147_483_647;

/**
 * res_partner ids are int4. An id that is not one cannot name an ERP partner,
 * so it matches nothing rather than failing the statement for everyone.
 */
function partnerIdsOf(customer: CustomerRepresentation): number[] {
  const ids = new Set<number>();
  for (const raw of customer.erpPartnerIds ?? []) {
    if (!/^[1-9][0-9]{0,9}$/.test(raw)) continue;
    const id = Number(raw);
    if (id <= INT4_MAX) ids.add(id);
  }
  return [...ids];
}

/** Union of the per-partner lists, without the rows two partners share (a contact under both). */
function unionById<T extends { id: string }>(lists: readonly (readonly T[])[]): T[] {
  const seen = new Map<string, T>();
  for (const list of lists) for (const row of list) if (!seen.has(row.id)) seen.set(row.id, row);
  return [...seen.values()];
}

const byNewest =
  <T extends { id: string }>(dateOf: (row: T) => string | null) =>
  (a: T, b: T): number => {
    const left = dateOf(a) ?? '';
    const right = dateOf(b) ?? '';
    if (left !== right) return left < right ? 1 : -1;
    return Number(b.id) - Number(a.id);
  };

async function invoicesOf(customer: CustomerRepresentation, ctx: ErpContext): Promise<InvoiceRow[] | null> {
  const partnerIds = partnerIdsOf(customer);
  const lists = await Promise.all(partnerIds.map((id) => ctx.loaders.invoicesByPartner.load(id)));
  return unionById(lists).sort(byNewest((row) => row.date));
}

const invoiceFields = {
  number: (row: InvoiceRow) => row.number,
  date: (row: InvoiceRow) => row.date,
  dueDate: (row: InvoiceRow) => row.due_date,
  total: (row: InvoiceRow) => row.total,
  amountDue: (row: InvoiceRow) => row.amount_due,
  paymentState: (row: InvoiceRow) => row.payment_state,
  currency: (row: InvoiceRow) => row.currency,
  overdue: (row: InvoiceRow) => row.overdue,
};

/**
 * Resolvers of the ERP subgraph. Every read goes through the request's
 * loaders, so the statements issued are one per entity type per level of the
 * plan; nothing here touches the database directly.
 */
export const erpResolvers: GraphQLResolverMap<ErpContext> = {
  Customer: {
    // The representation already holds everything the ERP needs (id and the
    // required erpPartnerIds): no lookup, and an unknown id simply has no rows.
    __resolveReference: (customer: CustomerRepresentation) => customer,

    async orders(customer: CustomerRepresentation, args: { last?: number | null }, ctx: ErpContext) {
      const last = args.last ?? 10;
      if (!Number.isInteger(last) || last < 0 || last > MAX_ORDERS_LAST) {
        throw new GraphQLError(`orders(last:) must be from 0 to ${MAX_ORDERS_LAST}, got ${last}`, {
          extensions: { code: 'BAD_USER_INPUT', argumentName: 'last' },
        });
      }
      const partnerIds = partnerIdsOf(customer);
      if (last === 0 || partnerIds.length === 0) return [];
      // Each partner's own last N contains the merged customer's last N, so
      // `last` applies once more after the union.
      const lists = await Promise.all(partnerIds.map((id) => ctx.loaders.ordersByPartner.load(ordersKey(id, last))));
      return unionById<OrderRow>(lists)
        .sort(byNewest((row) => row.date))
        .slice(0, last);
    },

    invoices: (customer: CustomerRepresentation, _args: unknown, ctx: ErpContext) => invoicesOf(customer, ctx),

    async overdueInvoices(customer: CustomerRepresentation, _args: unknown, ctx: ErpContext) {
      return (await invoicesOf(customer, ctx))?.filter((row) => row.overdue) ?? null;
    },

    async openBalance(customer: CustomerRepresentation, _args: unknown, ctx: ErpContext) {
      if (partnerIdsOf(customer).length === 0) return null;
      const invoices = (await invoicesOf(customer, ctx)) ?? [];
      // Sum in cents: float sums of many two-decimal amounts drift.
      return invoices.reduce((cents, row) => cents + Math.round(row.amount_due * 100), 0) / 100;
    },

    async creditLimit(customer: CustomerRepresentation, _args: unknown, ctx: ErpContext) {
      const limits = await Promise.all(partnerIdsOf(customer).map((id) => ctx.loaders.creditLimitByPartner.load(id)));
      const set = limits.filter((limit): limit is number => limit !== null);
      return set.length ? Math.max(...set) : null;
    },
  },

  SalesOrder: {
    lines: (order: OrderRow, _args: unknown, ctx: ErpContext) => ctx.loaders.linesByOrder.load(Number(order.id)),
  },

  SalesOrderLine: {
    unitPrice: (line: OrderLineRow) => line.unit_price,
    // A reference the MDM resolves through Product's `sku` key.
    product: (line: OrderLineRow): ProductReference | null => (line.sku ? { sku: line.sku } : null),
  },

  Product: {
    __resolveReference: (product: ProductReference) => ({ sku: product.sku }),
    listPrice: (product: ProductReference, _args: unknown, ctx: ErpContext) => ctx.loaders.listPriceBySku.load(product.sku),
    stock: (product: ProductReference, _args: unknown, ctx: ErpContext) => ctx.loaders.stockBySku.load(product.sku),
  },

  Invoice: invoiceFields,
};
