/** One day in milliseconds (context.ts has the same; importing it would make a cycle). */
const DAY = 86_400_000;

/**
 * The reconciliation truth: which findings the reconciliation jobs must
 * report on the seeded systems, worked out by the generator from what it
 * wrote (it knows which records belong to one real company), never by
 * reading the databases back. Tests compare the jobs' findings with it:
 * none missing, none invented.
 *
 * The rules are the jobs' rules restated on the generator's own values, with
 * the parameters below (the jobs' defaults). Both sides key a finding the
 * same way (kind + the records it is about), which is also how the jobs make
 * a finding's stable id.
 *
 * Only the kinds that the generator's data can produce are worked out here:
 * attribute conflicts are tax ids (the ERP's duplicates carry the company's
 * VAT or none; the planted duplicate a typo) and product prices (the CRM's
 * separate price books); the other compared attributes never differ in the
 * seed, which the truth test checks by expecting no finding for them.
 */
export const RECON_TRUTH_RULES = {
  /** A won deal needs an ERP sale order or invoice within this many days of its close date. */
  dealWindowDays: 30,
  /** Monthly totals differ when apart by more than this many cents … */
  monthlyToleranceCents: 100,
  /** … and more than this percentage of the larger total. */
  monthlyTolerancePercent: 1,
  /** A source record not changed for this many days before the reference date is stale. */
  staleDays: 730,
} as const;

export type ReconTruthKind =
  | 'deal_won_without_erp_sale'
  | 'erp_invoices_unknown_to_crm'
  | 'monthly_total_mismatch'
  | 'attribute_conflict'
  | 'single_source_golden'
  | 'stale_record';

export interface ExpectedFinding {
  kind: ReconTruthKind;
  key: string;
}

interface CompanyFacts {
  erp: Array<{ id: number; vat?: string; writtenAt: number; sales: number[]; invoices: Array<{ day: number; cents: number }> }>;
  crm: Array<{ id: number; modifiedAt: number; deals: Array<{ id: number; won: boolean; closeAt: number; cents: number }> }>;
}

interface ProductFacts {
  erp: Array<{ id: number; cents: number }>;
  crm: Array<{ id: number; cents: number }>;
}

/** "erp:12", "crm:10000001": how findings name a source record. */
export const sourceRef = (system: 'erp' | 'crm', id: number | string): string => `${system}:${id}`;
/** The records of one golden record, in one stable order. */
export const refSet = (refs: readonly string[]): string => [...refs].sort().join('+');
/** UTC year-month of an instant, "2026-03". */
export const monthOf = (ms: number): string => new Date(ms).toISOString().slice(0, 7);

/** Whether two monthly totals differ beyond the tolerance (both limits exceeded). */
export function totalsDiffer(aCents: number, bCents: number, rules = RECON_TRUTH_RULES): boolean {
  const difference = Math.abs(aCents - bCents);
  return difference > rules.monthlyToleranceCents && difference * 100 > rules.monthlyTolerancePercent * Math.max(Math.abs(aCents), Math.abs(bCents));
}

/**
 * Collects, while the generator writes, the facts the rules need per real
 * company and product, and turns a company's facts into expected findings as
 * soon as the company is complete (so memory stays flat at any size).
 */
export class ReconLedger {
  private readonly companies = new Map<string, CompanyFacts>();
  private readonly products = new Map<string, ProductFacts>();
  private readonly partnerCompany = new Map<number, CompanyFacts['erp'][number]>();
  private readonly crmCompany = new Map<number, CompanyFacts['crm'][number]>();
  private readonly pendingPartners = new Map<number, CompanyFacts['erp'][number]>();
  private readonly pendingCrm = new Map<number, CompanyFacts['crm'][number]>();
  private readonly planted = new Set<string>();

  constructor(private readonly reference: number) {}

  partner(id: number, vat: string | undefined, writtenAt: number): void {
    this.pendingPartners.set(id, { id, vat, writtenAt, sales: [], invoices: [] });
  }

  crmCompanyObject(id: number, modifiedAt: number): void {
    this.pendingCrm.set(id, { id, modifiedAt, deals: [] });
  }

  /** Called by addTruth: the record joins its real company's (or product's) facts. */
  truth(entityType: 'customer' | 'product', system: 'erp' | 'crm', id: number, truthId: string, priceCents?: number): void {
    if (entityType === 'product') {
      const facts = this.products.get(truthId) ?? { erp: [], crm: [] };
      facts[system].push({ id, cents: priceCents ?? 0 });
      this.products.set(truthId, facts);
      return;
    }
    const facts = this.companies.get(truthId) ?? { erp: [], crm: [] };
    this.companies.set(truthId, facts);
    if (system === 'erp') {
      const partner = this.pendingPartners.get(id);
      if (!partner) throw new Error(`reconciliation truth: partner ${id} recorded before it was written`);
      this.pendingPartners.delete(id);
      facts.erp.push(partner);
      this.partnerCompany.set(id, partner);
    } else {
      const company = this.pendingCrm.get(id);
      if (!company) throw new Error(`reconciliation truth: CRM company ${id} recorded before it was written`);
      this.pendingCrm.delete(id);
      facts.crm.push(company);
      this.crmCompany.set(id, company);
    }
  }

  /** A confirmed sale order (state 'sale') at its order time. */
  sale(partnerId: number, at: number): void {
    this.partnerCompany.get(partnerId)?.sales.push(at);
  }

  /** A posted customer invoice; the invoice date is a calendar day, so the instant is its UTC midnight. */
  invoice(partnerId: number, invoiceDate: string, cents: number): void {
    const day = Date.parse(`${invoiceDate}T00:00:00Z`);
    const partner = this.partnerCompany.get(partnerId);
    if (!partner) return;
    partner.invoices.push({ day, cents });
    partner.sales.push(day);
  }

  deal(id: number, companyId: number, stage: string, closeAt: number, cents: number): void {
    this.crmCompany.get(companyId)?.deals.push({ id, won: stage === 'closedwon', closeAt, cents });
  }

  /** The VAT an ERP partner of a company not yet settled was written with. */
  vatOf(partnerId: number): string | undefined {
    return this.partnerCompany.get(partnerId)?.vat;
  }

  /** A discrepancy planted on purpose; settle checks that it is indeed expected. */
  plant(kind: ReconTruthKind, key: string): void {
    this.planted.add(`${kind} ${key}`);
  }

  /** The sale instants of a company so far (for planting a deal away from them). */
  salesOf(truthId: string): number[] {
    return (this.companies.get(truthId)?.erp ?? []).flatMap((p) => p.sales);
  }

  /** Expected findings of one complete company; its facts are dropped. */
  settleCompany(truthId: string): Array<ExpectedFinding & { planted: boolean }> {
    const facts = this.companies.get(truthId);
    if (!facts) return [];
    this.companies.delete(truthId);
    for (const p of facts.erp) this.partnerCompany.delete(p.id);
    for (const c of facts.crm) this.crmCompany.delete(c.id);
    return this.mark(companyFindings(facts, this.reference));
  }

  settleProducts(): Array<ExpectedFinding & { planted: boolean }> {
    const found: ExpectedFinding[] = [];
    for (const facts of this.products.values()) {
      const refs = [...facts.erp.map((p) => sourceRef('erp', p.id)), ...facts.crm.map((p) => sourceRef('crm', p.id))];
      if (refs.length === 1) found.push({ kind: 'single_source_golden', key: `product|${refs[0]}` });
      const prices = new Set([...facts.erp, ...facts.crm].map((p) => p.cents));
      if (prices.size > 1) found.push({ kind: 'attribute_conflict', key: `product|listPrice|${refSet(refs)}` });
    }
    this.products.clear();
    return this.mark(found);
  }

  /** Planted discrepancies that no settled company produced: a generator bug. */
  unsettledPlants(): string[] {
    return [...this.planted];
  }

  private mark(found: ExpectedFinding[]): Array<ExpectedFinding & { planted: boolean }> {
    return found.map((f) => {
      const id = `${f.kind} ${f.key}`;
      const planted = this.planted.delete(id);
      return { ...f, planted };
    });
  }
}

function companyFindings(facts: CompanyFacts, reference: number): ExpectedFinding[] {
  const rules = RECON_TRUTH_RULES;
  const found: ExpectedFinding[] = [];
  const refs = [...facts.erp.map((p) => sourceRef('erp', p.id)), ...facts.crm.map((c) => sourceRef('crm', c.id))];
  const sales = facts.erp.flatMap((p) => p.sales);
  const window = rules.dealWindowDays * DAY;

  for (const company of facts.crm) {
    for (const deal of company.deals) {
      if (deal.won && !sales.some((at) => Math.abs(at - deal.closeAt) <= window)) {
        found.push({ kind: 'deal_won_without_erp_sale', key: `crm:deal:${deal.id}` });
      }
    }
  }
  if (facts.crm.length === 0) {
    for (const partner of facts.erp) if (partner.invoices.length > 0) found.push({ kind: 'erp_invoices_unknown_to_crm', key: `erp:partner:${partner.id}` });
  }
  if (facts.crm.length > 0 && facts.erp.length > 0) {
    const totals = new Map<string, { crm: number; erp: number }>();
    const add = (month: string, side: 'crm' | 'erp', cents: number) => {
      const t = totals.get(month) ?? { crm: 0, erp: 0 };
      t[side] += cents;
      totals.set(month, t);
    };
    for (const c of facts.crm) for (const d of c.deals) if (d.won) add(monthOf(d.closeAt), 'crm', d.cents);
    for (const p of facts.erp) for (const i of p.invoices) add(monthOf(i.day), 'erp', i.cents);
    for (const [month, t] of totals) {
      if (totalsDiffer(t.crm, t.erp)) found.push({ kind: 'monthly_total_mismatch', key: `customer|${refSet(refs)}|${month}` });
    }
  }
  const vats = new Set(facts.erp.map((p) => p.vat).filter((v): v is string => !!v));
  if (vats.size > 1) found.push({ kind: 'attribute_conflict', key: `customer|taxId|${refSet(refs)}` });
  if (refs.length === 1) found.push({ kind: 'single_source_golden', key: `customer|${refs[0]}` });
  const cutoff = reference - rules.staleDays * DAY;
  for (const p of facts.erp) if (p.writtenAt < cutoff) found.push({ kind: 'stale_record', key: `customer|${sourceRef('erp', p.id)}` });
  for (const c of facts.crm) if (c.modifiedAt < cutoff) found.push({ kind: 'stale_record', key: `customer|${sourceRef('crm', c.id)}` });
  return found;
}
