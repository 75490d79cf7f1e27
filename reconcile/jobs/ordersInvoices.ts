import type { ReconcileRules } from '../config.js';
import { refSet } from '../findingId.js';
import { readCrmDeals } from '../sources/crm.js';
import { readErpCustomers, readErpSales, type ErpSale } from '../sources/erp.js';
import { readMembership } from '../sources/mdm.js';
import type { FindingDraft, FindingRecord, Job } from '../types.js';

const DAY = 86_400_000;

/**
 * Orders and invoices: what sales says it won against what the ERP sold and
 * billed, per golden customer (the MDM says which CRM companies and ERP
 * partners are one customer).
 *
 * - deal_won_without_erp_sale: a closed-won deal with no confirmed sale order
 *   and no posted invoice of its customer within `dealWindowDays` of its close
 *   date (also when the ERP doesn't know the customer at all);
 * - erp_invoices_unknown_to_crm: an ERP partner with posted invoices whose
 *   golden customer has no CRM company;
 * - monthly_total_mismatch: for a customer in both systems, a month whose won
 *   deal amounts (by close date) and invoiced amounts (by invoice date) differ
 *   beyond both tolerances.
 */
export const reconcileOrdersInvoices: Job = async ({ pool, erpPool, crm, config }) => {
  const [membership, sales, partners, deals] = await Promise.all([
    readMembership(pool, 'customer'),
    readErpSales(erpPool, config.erpSchema),
    readErpCustomers(erpPool, config.erpSchema),
    readCrmDeals(crm),
  ]);
  const partnerName = new Map(partners.map((p) => [p.id, p.name]));
  const salesByMaster = new Map<string, ErpSale[]>();
  const salesByPartner = new Map<string, ErpSale[]>();
  for (const sale of sales) {
    push(salesByPartner, sale.partnerId, sale);
    const master = membership.masterOf.get(`erp:${sale.partnerId}`);
    if (master) push(salesByMaster, master, sale);
  }
  const findings: FindingDraft[] = [];
  const window = config.dealWindowDays * DAY;
  const wonByMaster = new Map<string, typeof deals>();

  for (const deal of deals) {
    if (deal.stage !== 'closedwon' || deal.closeAt === null) continue;
    const masters = [...new Set(deal.companyIds.map((id) => membership.masterOf.get(`crm:${id}`)).filter((m): m is string => !!m))];
    for (const master of masters) push(wonByMaster, master, deal);
    const master = masters[0] ?? null;
    const customerSales = master ? salesByMaster.get(master) ?? [] : [];
    if (customerSales.some((s) => Math.abs(s.at - deal.closeAt!) <= window)) continue;
    const erpKnown = master !== null && (membership.sourcesOf.get(master) ?? []).some((ref) => ref.startsWith('erp:'));
    const nearest = nearestSale(customerSales, deal.closeAt);
    findings.push({
      kind: 'deal_won_without_erp_sale',
      key: `crm:deal:${deal.id}`,
      entityType: 'customer',
      masterId: master,
      summary: erpKnown
        ? `Deal "${deal.name ?? deal.id}" won on ${day(deal.closeAt)} has no ERP sale order or invoice within ${config.dealWindowDays} days`
        : `Deal "${deal.name ?? deal.id}" won on ${day(deal.closeAt)} by a customer the ERP doesn't know`,
      records: [
        { system: 'crm', type: 'deals', id: deal.id, label: deal.name ?? undefined, values: { stage: deal.stage, closeDate: day(deal.closeAt), amount: cents(deal.cents) } },
        ...deal.companyIds.map((id): FindingRecord => ({ system: 'crm', type: 'companies', id })),
        ...(nearest ? [saleRecord(nearest, partnerName)] : []),
      ],
      amounts: { crm: cents(deal.cents), erp: null, difference: cents(deal.cents), currency: null },
      detail: { erpKnown, windowDays: config.dealWindowDays, nearestErpSaleDays: nearest ? Math.round(Math.abs(nearest.at - deal.closeAt) / DAY) : null },
    });
  }

  for (const [partnerId, partnerSales] of salesByPartner) {
    const invoices = partnerSales.filter((s) => s.kind === 'invoice');
    if (invoices.length === 0) continue;
    const master = membership.masterOf.get(`erp:${partnerId}`) ?? null;
    if (master && (membership.sourcesOf.get(master) ?? []).some((ref) => ref.startsWith('crm:'))) continue;
    const total = invoices.reduce((sum, s) => sum + s.cents, 0);
    findings.push({
      kind: 'erp_invoices_unknown_to_crm',
      key: `erp:partner:${partnerId}`,
      entityType: 'customer',
      masterId: master,
      summary: `${invoices.length} ERP invoice${invoices.length === 1 ? '' : 's'} for "${partnerName.get(partnerId) ?? partnerId}", a customer the CRM doesn't know`,
      records: [
        { system: 'erp', type: 'res_partner', id: partnerId, label: partnerName.get(partnerId) },
        ...invoices.slice(-20).map((s) => saleRecord(s, partnerName)),
      ],
      amounts: { crm: null, erp: total / 100, difference: total / 100, currency: invoices[0].currency },
      detail: { invoices: invoices.length },
    });
  }

  for (const [master, refs] of membership.sourcesOf) {
    if (!refs.some((r) => r.startsWith('erp:')) || !refs.some((r) => r.startsWith('crm:'))) continue;
    const months = new Map<string, { crm: number; erp: number; deals: typeof deals; invoices: ErpSale[] }>();
    const at = (month: string) => months.get(month) ?? months.set(month, { crm: 0, erp: 0, deals: [], invoices: [] }).get(month)!;
    for (const deal of wonByMaster.get(master) ?? []) {
      const m = at(monthOf(deal.closeAt!));
      m.crm += deal.cents ?? 0;
      m.deals.push(deal);
    }
    for (const sale of salesByMaster.get(master) ?? []) {
      if (sale.kind !== 'invoice') continue;
      const m = at(monthOf(sale.at));
      m.erp += sale.cents;
      m.invoices.push(sale);
    }
    for (const [month, m] of months) {
      if (!totalsDiffer(m.crm, m.erp, config)) continue;
      findings.push({
        kind: 'monthly_total_mismatch',
        key: `customer|${refSet(refs)}|${month}`,
        entityType: 'customer',
        masterId: master,
        month,
        // No amounts in the summary: they are finance figures, readable only through `amounts`.
        summary: `${month}: won deals and invoices of "${customerName(refs, partnerName) ?? master}" differ beyond the tolerance`,
        records: [
          // The customer as each source knows it, then the month's deals and invoices.
          ...refs.map((ref): FindingRecord => ref.startsWith('erp:')
            ? { system: 'erp', type: 'res_partner', id: ref.slice(4), label: partnerName.get(ref.slice(4)) }
            : { system: 'crm', type: 'companies', id: ref.slice(4) }),
          ...m.deals.map((d): FindingRecord => ({ system: 'crm', type: 'deals', id: d.id, label: d.name ?? undefined, values: { closeDate: day(d.closeAt!), amount: cents(d.cents) } })),
          ...m.invoices.map((s) => saleRecord(s, partnerName)),
        ],
        amounts: { crm: m.crm / 100, erp: m.erp / 100, difference: (m.crm - m.erp) / 100, currency: m.invoices[0]?.currency ?? null },
        detail: { toleranceCents: config.monthlyToleranceCents, tolerancePercent: config.monthlyTolerancePercent },
      });
    }
  }
  return { findings };
};

/** Beyond both limits: more than the absolute tolerance and more than the percentage of the larger total. */
export function totalsDiffer(aCents: number, bCents: number, rules: Pick<ReconcileRules, 'monthlyToleranceCents' | 'monthlyTolerancePercent'>): boolean {
  const difference = Math.abs(aCents - bCents);
  return difference > rules.monthlyToleranceCents && difference * 100 > rules.monthlyTolerancePercent * Math.max(Math.abs(aCents), Math.abs(bCents));
}

function customerName(refs: string[], names: Map<string, string>): string | undefined {
  for (const ref of refs) if (ref.startsWith('erp:') && names.has(ref.slice(4))) return names.get(ref.slice(4));
  return undefined;
}

function nearestSale(sales: ErpSale[], at: number): ErpSale | undefined {
  let best: ErpSale | undefined;
  for (const s of sales) if (!best || Math.abs(s.at - at) < Math.abs(best.at - at)) best = s;
  return best;
}

function saleRecord(sale: ErpSale, names: Map<string, string>): FindingRecord {
  return {
    system: 'erp',
    type: sale.kind === 'order' ? 'sale_order' : 'account_move',
    id: sale.name,
    label: names.get(sale.partnerId),
    values: { partnerId: sale.partnerId, date: day(sale.at), amount: sale.cents / 100, currency: sale.currency },
  };
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);
const cents = (value: number | null) => (value === null ? null : value / 100);
