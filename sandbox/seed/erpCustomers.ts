import { DAY, type SeedContext } from './context.js';
import type { Random } from './random.js';
import { addInvoice, addOrder, addPartner, addTruth, type OrderLineValues } from './records.js';
import { companyNameVariant, formatPhone, reformatPhone, websiteVariant } from './variants.js';
import type { RealCompany } from './world.js';

/**
 * A real company as the ERP records it: the res_partner (mostly the
 * registered name and a VAT number, the international phone form, a website
 * now and then), and its sales history: orders over the last two years with
 * their lines, and posted invoices, some paid, some partly paid, some overdue.
 *
 * A "duplicate" is a second partner for the same company, created by someone
 * who did not find the first: a variant name, often no VAT, a few orders.
 */
export function seedErpCustomer(ctx: SeedContext, company: RealCompany, rng: Random, kind: 'primary' | 'duplicate'): number {
  const primary = kind === 'primary';
  const orderCount = primary
    ? rng.weighted([[0, 10], [1, 15], [2, 20], [3, 20], [4, 15], [5, 10], [6, 5], [8, 5]] as const)
    : rng.int(1, 2);
  const createdDays = primary ? company.customerSinceDays : rng.int(10, Math.max(11, Math.min(700, company.customerSinceDays)));
  const createdAt = ctx.at(createdDays, rng.int(0, 86_399));
  const partnerId = addPartner(ctx, {
    name: primary ? (rng.chance(0.88) ? company.name : companyNameVariant(company, rng, 1)) : companyNameVariant(company, rng, rng.int(1, 2)),
    vat: rng.chance(primary ? 0.9 : 0.5) ? company.vat : undefined,
    email: rng.chance(primary ? 0.85 : 0.5) ? company.email : undefined,
    phone: rng.chance(primary ? 0.9 : 0.6) ? (primary && rng.chance(0.85) ? formatPhone(company.phone, 'international') : reformatPhone(company.phone, rng)) : undefined,
    website: rng.chance(primary ? 0.4 : 0.2) ? websiteVariant(company.domain, rng) : undefined,
    street: rng.chance(0.97) ? (rng.chance(primary ? 0.85 : 0.4) ? company.street.canonical : rng.pick(company.street.variants)) : undefined,
    city: rng.chance(primary ? 0.98 : 0.9) ? (primary || rng.chance(0.8) ? company.city.name : company.city.name.toUpperCase()) : undefined,
    zip: rng.chance(primary ? 0.95 : 0.8) ? company.zip : undefined,
    countryId: ctx.countryIds[company.country.code],
    customerRank: Math.max(1, orderCount),
    creditLimit: primary && rng.chance(0.8) ? company.creditLimit : undefined,
    lang: company.country.lang,
    createdAt,
    writtenAt: ctx.at(rng.int(0, createdDays), rng.int(0, 86_399)),
  });
  addTruth(ctx, 'customer', 'erp', partnerId, company.truthId);
  seedOrderHistory(ctx, company, partnerId, rng, orderCount, createdDays);
  return partnerId;
}

const ORDER_STATES = [['sale', 85], ['sent', 5], ['draft', 4], ['cancel', 6]] as const;
const QUANTITIES = [[1, 20], [2, 15], [5, 15], [10, 15], [20, 10], [25, 8], [50, 8], [100, 5], [3, 4]] as const;

function seedOrderHistory(ctx: SeedContext, company: RealCompany, partnerId: number, rng: Random, count: number, customerDays: number): void {
  if (ctx.erpCatalog.length === 0) return;
  const window = Math.min(729, customerDays);
  const days = Array.from({ length: count }, () => rng.int(0, window)).sort((a, b) => b - a);
  const currencyId = ctx.currencyOf(company.country);
  for (const daysAgo of days) {
    const date = ctx.at(daysAgo, rng.int(6 * 3600, 19 * 3600));
    let state: 'sale' | 'sent' | 'draft' | 'cancel' = rng.weighted(ORDER_STATES);
    // Quotations don't stay open for months: an old one was either confirmed or cancelled.
    if ((state === 'draft' || state === 'sent') && daysAgo > 30) state = 'sale';
    const lines: OrderLineValues[] = [];
    const lineCount = rng.weighted([[1, 30], [2, 35], [3, 25], [4, 10]] as const);
    for (let i = 0; i < lineCount; i++) {
      const product = rng.pick(ctx.erpCatalog);
      const discount = rng.chance(0.2) ? rng.pick([5, 10, 15]) : 0;
      lines.push({ product, quantity: rng.weighted(QUANTITIES), priceUnitCents: Math.round((product.priceCents * (100 - discount)) / 100) });
    }
    const order = addOrder(ctx, {
      partnerId, date, state, currencyId, lines,
      clientRef: rng.chance(0.3) ? `PO-${rng.int(1000, 99999)}` : undefined,
    });
    if (state !== 'sale' || daysAgo < 2 || !rng.chance(0.92)) continue;
    const invoiceDate = date + rng.int(0, Math.min(3, daysAgo - 1)) * DAY;
    const paymentTermDays = rng.weighted([[14, 2], [30, 5], [45, 1], [60, 2]] as const);
    const due = invoiceDate + paymentTermDays * DAY;
    // Past-due invoices are mostly settled; those not yet due mostly open.
    const status = due < ctx.reference
      ? rng.weighted([['paid', 88], ['partial', 5], ['not_paid', 7]] as const)
      : rng.weighted([['paid', 25], ['partial', 10], ['not_paid', 65]] as const);
    const residualCents = status === 'paid' ? 0 : status === 'not_paid' ? order.totalCents : Math.round(order.totalCents * (0.2 + rng.next() * 0.6));
    addInvoice(ctx, { partnerId, order, invoiceDate, paymentTermDays, residualCents, currencyId });
  }
}
