import { DAY, type SeedContext, money } from './context.js';
import type { Random } from './random.js';
import { addCrmObject, addTruth, associate } from './records.js';
import { changeCase, companyNameVariant, reformatPhone, websiteVariant } from './variants.js';
import { slugify, type RealCompany } from './world.js';

/**
 * A real company as the sales team keeps it in the CRM: the company object
 * (a name typed by hand, a domain but no VAT — HubSpot has no such default
 * property — a phone in national format, an abbreviated street), its
 * contacts, deals with line items, and support tickets, all associated in
 * both directions like HubSpot's v4 associations.
 *
 * A "duplicate" is a second company object for the same company (e.g. made
 * by an import), with a variant name and few or no related records.
 */
export function seedCrmCompany(ctx: SeedContext, company: RealCompany, rng: Random, kind: 'primary' | 'duplicate'): number {
  const primary = kind === 'primary';
  const country = company.country;
  const createdDays = Math.max(1, rng.int(Math.floor(company.customerSinceDays / 2), company.customerSinceDays + 200));
  const createdAt = ctx.at(createdDays, rng.int(0, 86_399));
  const countryText = rng.weighted([[country.name, 7], [country.code, 2], [country.localName, 1]] as const);
  const companyName = companyNameVariant(company, rng, rng.chance(primary ? 0.4 : 0) ? 0 : rng.int(1, 2));
  const companyId = addCrmObject(ctx, 'companies', {
    name: companyName,
    domain: rng.chance(primary ? 0.9 : 0.6) ? company.domain : undefined,
    website: rng.chance(0.5) ? websiteVariant(company.domain, rng) : undefined,
    phone: rng.chance(0.8) ? reformatPhone(company.phone, rng) : undefined,
    address: rng.chance(0.9) ? (rng.chance(0.7) ? rng.pick(company.street.variants) : company.street.canonical) : undefined,
    city: rng.chance(0.9) ? (rng.chance(0.15) ? changeCase(company.city.name, rng) : company.city.name) : undefined,
    zip: rng.chance(0.8) ? company.zip : undefined,
    country: rng.chance(0.9) ? countryText : undefined,
    industry: rng.chance(0.7) ? company.industry : undefined,
    lifecyclestage: 'customer',
  }, createdAt, ctx.at(rng.int(0, createdDays), rng.int(0, 86_399)));
  addTruth(ctx, 'customer', 'crm', companyId, company.truthId);

  const contactIds = seedContacts(ctx, company, companyId, companyName, rng, primary ? rng.weighted([[0, 1], [1, 3], [2, 4], [3, 3], [4, 2]] as const) : rng.int(0, 1), createdDays);
  const dealCount = primary ? rng.weighted([[0, 3], [1, 4], [2, 3], [3, 2]] as const) : rng.int(0, 1);
  for (let i = 0; i < dealCount; i++) seedDeal(ctx, companyId, companyName, contactIds, rng);
  const ticketCount = primary ? rng.weighted([[0, 5], [1, 3], [2, 2]] as const) : 0;
  for (let i = 0; i < ticketCount; i++) seedTicket(ctx, companyId, rng);
  return companyId;
}

const JOB_TITLES = [
  'Purchasing Manager', 'Head of Procurement', 'Chief Financial Officer', 'Operations Manager', 'Maintenance Lead',
  'Plant Manager', 'Buyer', 'Accounts Payable Clerk', 'Managing Director', 'Logistics Coordinator', 'Technical Director',
];

function seedContacts(ctx: SeedContext, company: RealCompany, companyId: number, companyName: string, rng: Random, count: number, companyDays: number): number[] {
  const faker = company.country.faker;
  faker.seed(rng.uint32());
  const ids: number[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    const firstname = faker.person.firstName();
    const lastname = faker.person.lastName();
    let local = `${slugify(firstname)}.${slugify(lastname)}`.replace(/-/g, '');
    if (used.has(local)) local += String(i + 1);
    used.add(local);
    const createdDays = rng.int(0, companyDays);
    const id = addCrmObject(ctx, 'contacts', {
      firstname,
      lastname,
      email: rng.chance(0.92) ? `${local}@${company.domain}` : undefined,
      phone: rng.chance(0.7) ? reformatPhone({ ...company.phone, subscriber: String(rng.int(2, 9)) + rng.digits(company.phone.subscriber.length - 1) }, rng) : undefined,
      jobtitle: rng.chance(0.85) ? rng.pick(JOB_TITLES) : undefined,
      company: companyName,
      lifecyclestage: 'customer',
    }, ctx.at(createdDays, rng.int(0, 86_399)), ctx.at(rng.int(0, createdDays), rng.int(0, 86_399)));
    associate(ctx, 'contacts', id, 'companies', companyId);
    ids.push(id);
  }
  return ids;
}

/** HubSpot's default sales pipeline stages, with how often a deal sits in each. */
const DEAL_STAGES = [
  ['appointmentscheduled', 10], ['qualifiedtobuy', 10], ['presentationscheduled', 8], ['decisionmakerboughtin', 7],
  ['contractsent', 8], ['closedwon', 35], ['closedlost', 22],
] as const;
const DEAL_TOPICS = ['Framework agreement', 'Spare parts order', 'Retrofit project', 'Annual supply', 'Maintenance stock', 'Expansion project', 'Line upgrade'];

export type DealStage = (typeof DEAL_STAGES)[number][0];

export interface DealValues {
  name: string;
  stage: DealStage;
  /** Days before the reference date the deal closed (or, negative, is expected to close). */
  closeDays: number;
  createdDays: number;
  lines: Array<{ product: { id: number; sku: string; name: string }; quantity: number; priceCents: number }>;
}

/** A deal with its line items; the amount is the line items' total, as HubSpot computes it. */
export function addDeal(ctx: SeedContext, companyId: number, contactIds: readonly number[], values: DealValues, rng: Random): number {
  const closed = values.stage === 'closedwon' || values.stage === 'closedlost';
  const createdAt = ctx.at(values.createdDays, rng.int(8 * 3600, 17 * 3600));
  const amount = values.lines.reduce((sum, line) => sum + line.quantity * line.priceCents, 0);
  const dealId = addCrmObject(ctx, 'deals', {
    dealname: values.name,
    dealstage: values.stage,
    pipeline: 'default',
    amount: money(amount),
    closedate: new Date(ctx.at(values.closeDays, 12 * 3600)).toISOString(),
    hs_is_closed: String(closed),
    hs_is_closed_won: String(values.stage === 'closedwon'),
  }, createdAt, ctx.at(Math.max(0, values.closeDays), 13 * 3600) > createdAt ? ctx.at(Math.max(0, values.closeDays), 13 * 3600) : createdAt);
  associate(ctx, 'deals', dealId, 'companies', companyId);
  ctx.ledger.deal(dealId, companyId, values.stage, ctx.at(values.closeDays, 12 * 3600), amount);
  if (contactIds.length > 0) associate(ctx, 'deals', dealId, 'contacts', contactIds[rng.int(0, contactIds.length - 1)]);
  for (const line of values.lines) {
    const lineId = addCrmObject(ctx, 'line_items', {
      name: line.product.name,
      quantity: String(line.quantity),
      price: money(line.priceCents),
      amount: money(line.quantity * line.priceCents),
      hs_product_id: String(line.product.id),
      hs_sku: line.product.sku,
    }, createdAt, createdAt);
    associate(ctx, 'deals', dealId, 'line_items', lineId);
  }
  return dealId;
}

function seedDeal(ctx: SeedContext, companyId: number, companyName: string, contactIds: readonly number[], rng: Random): void {
  if (ctx.crmCatalog.length === 0) return;
  const stage = rng.weighted(DEAL_STAGES);
  const closed = stage === 'closedwon' || stage === 'closedlost';
  const closeDays = closed ? rng.int(1, 700) : -rng.int(7, 150);
  const createdDays = closed ? closeDays + rng.int(14, 120) : rng.int(1, 200);
  const lines = Array.from({ length: rng.weighted([[1, 4], [2, 4], [3, 2]] as const) }, () => {
    const product = rng.pick(ctx.crmCatalog);
    return { product, quantity: rng.weighted([[1, 3], [5, 3], [10, 3], [25, 2], [50, 2], [100, 1]] as const), priceCents: product.priceCents };
  });
  const year = new Date(ctx.at(closeDays)).getUTCFullYear();
  addDeal(ctx, companyId, contactIds, { name: `${companyName} - ${rng.pick(DEAL_TOPICS)} ${year}`, stage, closeDays, createdDays, lines }, rng);
}

const TICKET_SUBJECTS: ReadonlyArray<readonly [string, string, string]> = [
  ['Delivery arrived incomplete', 'Part of the last delivery is missing; please check the packing list.', 'PRODUCT_ISSUE'],
  ['Damaged goods received', 'Several items arrived damaged. Photos attached; we need a replacement.', 'PRODUCT_ISSUE'],
  ['Question about invoice', 'The invoice amount does not match our purchase order. Please clarify.', 'BILLING_ISSUE'],
  ['Request for certificate of conformity', 'Our quality team needs the certificates for the last shipment.', 'GENERAL_INQUIRY'],
  ['Change of billing address', 'Please update our billing address for future invoices.', 'BILLING_ISSUE'],
  ['Delivery date confirmation', 'Can you confirm the delivery date of our open order?', 'GENERAL_INQUIRY'],
  ['Wrong item delivered', 'We received a different article than ordered.', 'PRODUCT_ISSUE'],
  ['Portal access for new colleague', 'Please create a customer portal login for our new buyer.', 'FEATURE_REQUEST'],
];

export interface TicketValues {
  subject: string;
  content: string;
  category: string;
  /** HubSpot's default support pipeline: 1 new, 2 waiting on contact, 3 waiting on us, 4 closed. */
  stage: '1' | '2' | '3' | '4';
  priority: 'LOW' | 'MEDIUM' | 'HIGH' | 'URGENT';
  createdDays: number;
}

export function addTicket(ctx: SeedContext, companyId: number, values: TicketValues, rng: Random): number {
  const createdAt = ctx.at(values.createdDays, rng.int(7 * 3600, 18 * 3600));
  const closedAt = values.stage === '4' ? createdAt + rng.int(1, Math.max(1, Math.min(20, values.createdDays))) * DAY : undefined;
  const ticketId = addCrmObject(ctx, 'tickets', {
    subject: values.subject,
    content: values.content,
    hs_pipeline: '0',
    hs_pipeline_stage: values.stage,
    hs_ticket_priority: values.priority,
    hs_ticket_category: values.category,
    closed_date: closedAt === undefined ? undefined : new Date(closedAt).toISOString(),
  }, createdAt, closedAt ?? createdAt);
  associate(ctx, 'tickets', ticketId, 'companies', companyId);
  return ticketId;
}

function seedTicket(ctx: SeedContext, companyId: number, rng: Random): void {
  const [subject, content, category] = rng.pick(TICKET_SUBJECTS);
  const stage = rng.weighted([['1', 15], ['2', 12], ['3', 8], ['4', 65]] as const);
  addTicket(ctx, companyId, {
    subject, content, category, stage,
    priority: rng.weighted([['LOW', 35], ['MEDIUM', 40], ['HIGH', 20], ['URGENT', 5]] as const),
    createdDays: stage === '4' ? rng.int(20, 400) : rng.int(0, 60),
  }, rng);
}
