import type { SeedContext } from './context.js';
import { addDeal, addTicket } from './crmCompanies.js';
import { Random } from './random.js';
import { addCrmObject, addInvoice, addOrder, addPartner, addTruth, associate, type AddedOrder } from './records.js';
import { truthId } from './world.js';

/**
 * The showcase customer every seed creates, whatever the seed or size, so the
 * README can show its customer 360: Globex Corporation in Berlin, written
 * "Globex Corporation" in the ERP and "GLOBEX Corp." in the CRM (same domain,
 * so the first MDM load matches them). Its history is fixed: six orders, three
 * invoices (paid; overdue and unpaid; partly paid and not yet due), three
 * contacts, three deals (two open, one won) and two tickets (one open).
 * Only product names and prices come from the seed's catalogue.
 */
export const SHOWCASE = {
  truthId: truthId('company', 1),
  erpName: 'Globex Corporation',
  crmName: 'GLOBEX Corp.',
  vat: 'DE811234560',
  email: 'billing@globex.example',
  domain: 'globex.example',
} as const;

export interface ShowcaseIds {
  erpPartnerId: number;
  crmCompanyId: number;
}

/** Order history: [days before the reference, [catalogue position, quantity][]], oldest first. */
const ORDERS: ReadonlyArray<readonly [number, ReadonlyArray<readonly [number, number]>]> = [
  [200, [[0, 50], [1, 2], [2, 10]]],
  [120, [[3, 5], [0, 100]]],
  [40, [[1, 1], [4, 20]]],
  [25, [[5, 10]]],
  [10, [[2, 25], [3, 3], [5, 4]]],
  [3, [[0, 200]]],
];

export function seedShowcase(ctx: SeedContext): ShowcaseIds {
  // A fixed stream: the showcase must not change with the seed.
  const rng = new Random(0x610be5);
  const country = ctx.countries.DE;
  const currencyId = ctx.currencyOf(country);
  const erpPartnerId = addPartner(ctx, {
    name: SHOWCASE.erpName,
    vat: SHOWCASE.vat,
    email: SHOWCASE.email,
    phone: '+49 30 1234567',
    website: `https://${SHOWCASE.domain}`,
    street: 'Friedrichstraße 123',
    city: 'Berlin',
    zip: '10117',
    countryId: ctx.countryIds.DE,
    customerRank: ORDERS.length,
    creditLimit: 50_000,
    lang: country.lang,
    createdAt: ctx.at(1_800, 9 * 3600),
    writtenAt: ctx.at(30, 15 * 3600),
  });
  addTruth(ctx, 'customer', 'erp', erpPartnerId, SHOWCASE.truthId);

  const orders: AddedOrder[] = ORDERS.map(([days, lines], i) =>
    addOrder(ctx, {
      partnerId: erpPartnerId,
      date: ctx.at(days, (9 + i) * 3600),
      state: 'sale',
      currencyId,
      clientRef: `GLX-PO-${4711 + i}`,
      lines: lines.map(([position, quantity]) => {
        const product = ctx.erpCatalog[position];
        return { product, quantity, priceUnitCents: product.priceCents };
      }),
    }),
  );
  const invoiceDay = (order: number) => ctx.at(ORDERS[order][0] - 1, 10 * 3600);
  // Paid long ago; unpaid and about three months past due; 40 % still open but due in a few days.
  addInvoice(ctx, { partnerId: erpPartnerId, order: orders[0], invoiceDate: invoiceDay(0), paymentTermDays: 30, residualCents: 0, currencyId });
  addInvoice(ctx, { partnerId: erpPartnerId, order: orders[1], invoiceDate: invoiceDay(1), paymentTermDays: 30, residualCents: orders[1].totalCents, currencyId });
  addInvoice(ctx, { partnerId: erpPartnerId, order: orders[2], invoiceDate: invoiceDay(2), paymentTermDays: 45, residualCents: Math.round(orders[2].totalCents * 0.4), currencyId });

  const crmCompanyId = addCrmObject(ctx, 'companies', {
    name: SHOWCASE.crmName,
    domain: SHOWCASE.domain,
    website: SHOWCASE.domain,
    phone: '030-1234567',
    address: 'Friedrichstr. 123',
    city: 'Berlin',
    zip: '10117',
    country: 'Germany',
    industry: 'MACHINERY',
    lifecyclestage: 'customer',
  }, ctx.at(1_500, 11 * 3600), ctx.at(5, 16 * 3600));
  addTruth(ctx, 'customer', 'crm', crmCompanyId, SHOWCASE.truthId);

  const contacts = [
    ['Anna', 'Keller', 'Head of Procurement', '030 1234567-12'],
    ['Jonas', 'Weber', 'Chief Financial Officer', '+49 30 1234567-20'],
    ['Lena', 'Fischer', 'Operations Manager', '030-1234567-31'],
  ] as const;
  const contactIds = contacts.map(([firstname, lastname, jobtitle, phone], i) => {
    const id = addCrmObject(ctx, 'contacts', {
      firstname, lastname, jobtitle, phone,
      email: `${firstname.toLowerCase()}.${lastname.toLowerCase()}@${SHOWCASE.domain}`,
      company: SHOWCASE.crmName,
      lifecyclestage: 'customer',
    }, ctx.at(1_400 - i * 200, 10 * 3600), ctx.at(20 + i, 10 * 3600));
    associate(ctx, 'contacts', id, 'companies', crmCompanyId);
    return id;
  });

  const line = (position: number, quantity: number) => {
    const product = ctx.crmCatalog[position];
    return { product, quantity, priceCents: product.priceCents };
  };
  addDeal(ctx, crmCompanyId, contactIds, { name: 'Globex - Warehouse automation', stage: 'contractsent', closeDays: -21, createdDays: 45, lines: [line(4, 10), line(1, 3)] }, rng);
  addDeal(ctx, crmCompanyId, contactIds, { name: 'Globex - Sensor retrofit', stage: 'qualifiedtobuy', closeDays: -60, createdDays: 12, lines: [line(4, 40)] }, rng);
  addDeal(ctx, crmCompanyId, contactIds, { name: 'Globex - Fasteners framework agreement', stage: 'closedwon', closeDays: 90, createdDays: 150, lines: [line(0, 1_000), line(2, 200)] }, rng);

  addTicket(ctx, crmCompanyId, {
    subject: `Delivery for ${orders[4].name} arrived incomplete`,
    content: 'Two of the three positions arrived; the rest is missing from the pallet.',
    category: 'PRODUCT_ISSUE', stage: '2', priority: 'HIGH', createdDays: 5,
  }, rng);
  addTicket(ctx, crmCompanyId, {
    subject: `Copy of the invoice for ${orders[0].name}`,
    content: 'Please send a copy of the invoice to our accounts payable team.',
    category: 'BILLING_ISSUE', stage: '4', priority: 'LOW', createdDays: 150,
  }, rng);
  return { erpPartnerId, crmCompanyId };
}
