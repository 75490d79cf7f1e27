import { type CrmObjectType, type ErpCatalogEntry, type SeedContext, isoTimestamp, money, sqlDate, sqlTimestamp, DAY } from './context.js';

/**
 * Record writers: each appends one source record (and what belongs to it) to
 * the run's buffers in the shape the source system stores it. They take
 * explicit values; deciding those values is the callers' job (erpCustomers,
 * crmCompanies, showcase).
 */

export interface PartnerValues {
  name: string;
  vat?: string;
  email?: string;
  phone?: string;
  website?: string;
  street?: string;
  city?: string;
  zip?: string;
  countryId?: number;
  customerRank: number;
  creditLimit?: number;
  lang: string;
  createdAt: number;
  writtenAt: number;
}

/** An Odoo customer company: res_partner with is_company and itself as commercial partner. */
export function addPartner(ctx: SeedContext, values: PartnerValues): number {
  const id = ctx.nextErpId('partner');
  ctx.buffers.partner.push(
    id, values.name, values.name, null, values.vat, values.email, values.phone, values.website,
    values.street, values.city, values.zip, values.countryId, true, id, 'contact',
    values.customerRank, values.creditLimit === undefined ? null : money(values.creditLimit * 100), values.lang, true,
    sqlTimestamp(values.createdAt), sqlTimestamp(Math.max(values.createdAt, values.writtenAt)),
  );
  ctx.ledger.partner(id, values.vat, Math.max(values.createdAt, values.writtenAt));
  return id;
}

export interface OrderLineValues {
  product: ErpCatalogEntry;
  quantity: number;
  priceUnitCents: number;
}

export interface OrderValues {
  partnerId: number;
  date: number;
  state: 'draft' | 'sent' | 'sale' | 'cancel';
  currencyId: number;
  clientRef?: string;
  lines: OrderLineValues[];
}

export interface AddedOrder {
  id: number;
  name: string;
  totalCents: number;
}

/** A sale order and its lines; amount_total is the sum of the line subtotals (prices are tax-exclusive, no tax lines). */
export function addOrder(ctx: SeedContext, values: OrderValues): AddedOrder {
  const id = ctx.nextErpId('order');
  const name = ctx.nextOrderName();
  let totalCents = 0;
  values.lines.forEach((line, i) => {
    const subtotal = line.quantity * line.priceUnitCents;
    totalCents += subtotal;
    ctx.buffers.orderLine.push(
      ctx.nextErpId('orderLine'), id, (i + 1) * 10, line.product.productId, `[${line.product.sku}] ${line.product.name}`,
      String(line.quantity), money(line.priceUnitCents), money(subtotal), money(subtotal),
    );
  });
  ctx.buffers.order.push(
    id, name, values.partnerId, sqlTimestamp(values.date), values.state, money(totalCents), '0.00', money(totalCents),
    values.currencyId, values.clientRef, sqlTimestamp(values.date), sqlTimestamp(values.date + 3_600_000),
  );
  if (values.state === 'sale') ctx.ledger.sale(values.partnerId, values.date);
  return { id, name, totalCents };
}

export interface InvoiceValues {
  partnerId: number;
  order: AddedOrder;
  invoiceDate: number;
  paymentTermDays: number;
  residualCents: number;
  currencyId: number;
}

/** A posted customer invoice for a whole order; payment_state follows the residual. Returns its name. */
export function addInvoice(ctx: SeedContext, values: InvoiceValues): string {
  const id = ctx.nextErpId('invoice');
  const total = values.order.totalCents;
  const residual = Math.min(Math.max(values.residualCents, 0), total);
  const paymentState = residual === 0 ? 'paid' : residual === total ? 'not_paid' : 'partial';
  const name = ctx.nextInvoiceName(new Date(values.invoiceDate).getUTCFullYear());
  ctx.buffers.invoice.push(
    id, name, 'out_invoice', 'posted', values.partnerId, sqlDate(values.invoiceDate),
    sqlDate(values.invoiceDate + values.paymentTermDays * DAY), values.order.name, money(total), '0.00', money(total),
    money(residual), paymentState, values.currencyId, sqlTimestamp(values.invoiceDate), sqlTimestamp(values.invoiceDate + DAY),
  );
  ctx.ledger.invoice(values.partnerId, sqlDate(values.invoiceDate), total);
  return name;
}

/** Property names of the last-modified date: contacts predate HubSpot's hs_ prefix. */
const MODIFIED_PROPERTY: Record<CrmObjectType, string> = {
  companies: 'hs_lastmodifieddate', contacts: 'lastmodifieddate', deals: 'hs_lastmodifieddate',
  tickets: 'hs_lastmodifieddate', products: 'hs_lastmodifieddate', line_items: 'hs_lastmodifieddate',
};

/**
 * A HubSpot object. Every property value is a string (or absent), as HubSpot
 * returns them; createdate, the last-modified date and hs_object_id are
 * filled in like HubSpot does.
 */
export function addCrmObject(
  ctx: SeedContext,
  type: CrmObjectType,
  properties: Record<string, string | undefined>,
  createdAt: number,
  modifiedAt: number,
): number {
  const id = ctx.nextCrmId(type);
  modifiedAt = Math.max(createdAt, modifiedAt);
  const stored: Record<string, string> = {};
  for (const [key, value] of Object.entries(properties)) if (value !== undefined && value !== '') stored[key] = value;
  stored.hs_object_id = String(id);
  stored.createdate = isoTimestamp(createdAt);
  stored[MODIFIED_PROPERTY[type]] = isoTimestamp(modifiedAt);
  ctx.buffers.crmObject.push(type, id, JSON.stringify(stored), isoTimestamp(createdAt), isoTimestamp(modifiedAt), false);
  if (type === 'companies') ctx.ledger.crmCompanyObject(id, modifiedAt);
  return id;
}

/**
 * HubSpot's v4 default (unlabeled) association type ids, one per direction.
 * From HubSpot's "Associations v4" type id table.
 */
export const ASSOCIATION_TYPES = {
  'contacts→companies': 279, 'companies→contacts': 280,
  'deals→companies': 341, 'companies→deals': 342,
  'tickets→companies': 339, 'companies→tickets': 340,
  'deals→line_items': 19, 'line_items→deals': 20,
  'deals→contacts': 3, 'contacts→deals': 4,
} as const;

/** Stores an association in both directions, as HubSpot reports it from either side. */
export function associate(ctx: SeedContext, fromType: CrmObjectType, fromId: number, toType: CrmObjectType, toId: number): void {
  const forward = ASSOCIATION_TYPES[`${fromType}→${toType}` as keyof typeof ASSOCIATION_TYPES];
  const backward = ASSOCIATION_TYPES[`${toType}→${fromType}` as keyof typeof ASSOCIATION_TYPES];
  if (forward === undefined || backward === undefined) throw new Error(`no HubSpot association type for ${fromType} ↔ ${toType}`);
  ctx.buffers.crmAssociation.push(fromType, fromId, toType, toId, forward, 'HUBSPOT_DEFINED', null);
  ctx.buffers.crmAssociation.push(toType, toId, fromType, fromId, backward, 'HUBSPOT_DEFINED', null);
}

/** Records which real entity a source record is; a product's price goes to the reconciliation truth. */
export function addTruth(ctx: SeedContext, entityType: 'customer' | 'product', system: 'erp' | 'crm', sourceId: number, truthId: string, priceCents?: number): void {
  ctx.buffers.truth.push(entityType, system, String(sourceId), truthId);
  ctx.ledger.truth(entityType, system, sourceId, truthId, priceCents);
}
