import { DAY, type SeedContext } from './context.js';
import { addDeal } from './crmCompanies.js';
import { Random } from './random.js';
import { addInvoice, addOrder, addPartner, addTruth } from './records.js';
import { monthOf, refSet, sourceRef } from './reconTruth.js';
import { formatPhone } from './variants.js';
import type { RealCompany } from './world.js';

/**
 * Discrepancies planted on purpose, one of each kind a business user must be
 * shown, so the reconciliation has known answers beside the data's natural
 * differences: a deal won without any ERP sale near it, a month whose CRM and
 * ERP totals differ by 10 %, an ERP duplicate whose VAT has a typo (a tax id
 * conflict inside one golden record, and a stale record), an ERP customer the
 * CRM doesn't know with a fresh invoice, and a deal won by a company the ERP
 * doesn't know.
 *
 * Each slot takes the first company (from company-00002 on: the showcase is
 * never touched) that fits it, so the plants are the same for a seed at any
 * size big enough to offer a fitting company. Plants add records to an
 * existing company (no new real company: the truth's company count stays the
 * requested one) and draw from their own random stream, so every other record
 * is exactly what it would be without them.
 */
export interface SeededCompany {
  company: RealCompany;
  erpIds: number[];
  crmIds: number[];
}

type Slot = 'wonDealWithoutSale' | 'monthlyMismatch' | 'taxIdConflict' | 'erpOrphan' | 'crmOrphan';

const SLOTS: readonly Slot[] = ['wonDealWithoutSale', 'monthlyMismatch', 'taxIdConflict', 'erpOrphan', 'crmOrphan'];

export class Planter {
  private readonly open = new Set<Slot>(SLOTS);

  constructor(private readonly ctx: SeedContext) {}

  /** Offers a just-written company to the open slots; plants into it if one fits. */
  offer(seeded: SeededCompany): void {
    if (seeded.company.index < 2 || this.open.size === 0) return;
    const both = seeded.erpIds.length > 0 && seeded.crmIds.length > 0;
    for (const slot of this.open) {
      if (!this.fits(slot, seeded, both)) continue;
      this.open.delete(slot);
      this.plant(slot, seeded, new Random(this.ctx.seed, 9, SLOTS.indexOf(slot)));
      return;
    }
  }

  private fits(slot: Slot, s: SeededCompany, both: boolean): boolean {
    switch (slot) {
      case 'wonDealWithoutSale':
      case 'monthlyMismatch':
        return both && this.ctx.crmCatalog.length > 0 && this.ctx.erpCatalog.length > 0;
      case 'taxIdConflict':
        // A German VAT: its last digit is a check digit, so changing it makes a typo the MDM still links.
        return both && s.company.country.code === 'DE' && s.erpIds.length === 1 && this.ctx.ledger.vatOf(s.erpIds[0]) === s.company.vat;
      case 'erpOrphan':
        return s.crmIds.length === 0 && s.erpIds.length === 1 && this.ctx.erpCatalog.length > 0;
      case 'crmOrphan':
        return s.erpIds.length === 0 && s.crmIds.length === 1 && this.ctx.crmCatalog.length > 0;
    }
  }

  private plant(slot: Slot, s: SeededCompany, rng: Random): void {
    const { ctx } = this;
    const { company } = s;
    const refs = () => refSet([...s.erpIds.map((id) => sourceRef('erp', id)), ...s.crmIds.map((id) => sourceRef('crm', id))]);
    const currencyId = ctx.currencyOf(company.country);
    switch (slot) {
      case 'wonDealWithoutSale': {
        const sales = ctx.ledger.salesOf(company.truthId);
        let closeDays = 5;
        while (sales.some((at) => Math.abs(at - ctx.at(closeDays, 12 * 3600)) <= 30 * DAY)) closeDays += 7;
        const dealId = addDeal(ctx, s.crmIds[0], [], {
          name: `${company.baseName} - Planted: won without an ERP order`, stage: 'closedwon', closeDays, createdDays: closeDays + 30,
          lines: [{ product: ctx.crmCatalog[0], quantity: 12, priceCents: ctx.crmCatalog[0].priceCents }],
        }, rng);
        ctx.ledger.plant('deal_won_without_erp_sale', `crm:deal:${dealId}`);
        return;
      }
      case 'monthlyMismatch': {
        const days = 75;
        const erpProduct = ctx.erpCatalog[1];
        const order = addOrder(ctx, {
          partnerId: s.erpIds[0], date: ctx.at(days, 10 * 3600), state: 'sale', currencyId,
          lines: [{ product: erpProduct, quantity: 20, priceUnitCents: erpProduct.priceCents }],
        });
        addInvoice(ctx, { partnerId: s.erpIds[0], order, invoiceDate: ctx.at(days, 10 * 3600), paymentTermDays: 30, residualCents: 0, currencyId });
        // The CRM books 10 % more of the same product for the same day.
        addDeal(ctx, s.crmIds[0], [], {
          name: `${company.baseName} - Planted: totals differ`, stage: 'closedwon', closeDays: days, createdDays: days + 20,
          lines: [{ product: ctx.crmCatalog[1], quantity: 22, priceCents: erpProduct.priceCents }],
        }, rng);
        ctx.ledger.plant('monthly_total_mismatch', `customer|${refs()}|${monthOf(ctx.at(days, 12 * 3600))}`);
        return;
      }
      case 'taxIdConflict': {
        const lastDigit = Number(company.vat.at(-1));
        const typo = company.vat.slice(0, -1) + String((lastDigit + 1) % 10);
        const duplicateId = addPartner(ctx, {
          name: company.name,
          vat: typo,
          email: company.email,
          phone: formatPhone(company.phone, 'international'),
          street: company.street.canonical,
          city: company.city.name,
          zip: company.zip,
          countryId: ctx.countryIds[company.country.code],
          customerRank: 1,
          lang: company.country.lang,
          createdAt: ctx.at(1_200, 9 * 3600),
          writtenAt: ctx.at(1_000, 9 * 3600),
        });
        addTruth(ctx, 'customer', 'erp', duplicateId, company.truthId);
        s.erpIds.push(duplicateId);
        ctx.ledger.plant('attribute_conflict', `customer|taxId|${refs()}`);
        ctx.ledger.plant('stale_record', `customer|${sourceRef('erp', duplicateId)}`);
        return;
      }
      case 'erpOrphan': {
        const product = ctx.erpCatalog[2];
        const order = addOrder(ctx, {
          partnerId: s.erpIds[0], date: ctx.at(20, 11 * 3600), state: 'sale', currencyId,
          lines: [{ product, quantity: 8, priceUnitCents: product.priceCents }],
        });
        addInvoice(ctx, { partnerId: s.erpIds[0], order, invoiceDate: ctx.at(19, 11 * 3600), paymentTermDays: 30, residualCents: order.totalCents, currencyId });
        ctx.ledger.plant('erp_invoices_unknown_to_crm', `erp:partner:${s.erpIds[0]}`);
        return;
      }
      case 'crmOrphan': {
        const dealId = addDeal(ctx, s.crmIds[0], [], {
          name: `${company.baseName} - Planted: won by a company the ERP doesn't know`, stage: 'closedwon', closeDays: 15, createdDays: 40,
          lines: [{ product: ctx.crmCatalog[3], quantity: 6, priceCents: ctx.crmCatalog[3].priceCents }],
        }, rng);
        ctx.ledger.plant('deal_won_without_erp_sale', `crm:deal:${dealId}`);
        return;
      }
    }
  }
}
