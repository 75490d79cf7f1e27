import { isHttpClientError, type HttpClient } from '../../platform/http/index.js';
import { ReconError } from '../errors.js';

/**
 * Reads the CRM through its HubSpot API (never its storage): the list
 * endpoint, 100 objects a page (HubSpot's maximum), following `paging.next`,
 * with the associations a job needs attached to each object
 * (`?associations=companies`), so deals and their companies come in the same
 * pages instead of one association read per deal. The search endpoint is
 * not used: HubSpot stops a search at 10,000 results.
 */
interface HubSpotPage {
  results: Array<{ id: string; properties: Record<string, string | null>; associations?: Record<string, { results: Array<{ id: string }> }> }>;
  paging?: { next?: { after: string } };
}

export interface CrmDeal {
  id: string;
  name: string | null;
  stage: string | null;
  closeAt: number | null;
  cents: number | null;
  companyIds: string[];
}

export interface CrmCompany {
  id: string;
  name: string | null;
  modifiedAt: number | null;
}

async function* listObjects(crm: HttpClient, type: string, properties: readonly string[], associations?: string) {
  let after: string | undefined;
  do {
    let page: HubSpotPage;
    try {
      page = await crm.getJson<HubSpotPage>(`/crm/v3/objects/${type}`, {
        query: { limit: 100, properties: properties.join(','), associations, after },
      });
    } catch (error) {
      const status = isHttpClientError(error) ? error.status : undefined;
      throw new ReconError('RECON_SOURCE_UNAVAILABLE', `reading CRM ${type} failed: ${(error as Error).message}`, { source: 'crm', status });
    }
    yield* page.results;
    after = page.paging?.next?.after;
  } while (after);
}

const toCents = (amount: string | null | undefined): number | null => {
  if (amount === null || amount === undefined || amount === '') return null;
  const n = Number(amount);
  return Number.isFinite(n) ? Math.round(n * 100) : null;
};

const toInstant = (text: string | null | undefined): number | null => {
  if (!text) return null;
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
};

/** Every deal with its stage, close date, amount and companies. */
export async function readCrmDeals(crm: HttpClient): Promise<CrmDeal[]> {
  const deals: CrmDeal[] = [];
  for await (const o of listObjects(crm, 'deals', ['dealname', 'dealstage', 'amount', 'closedate'], 'companies')) {
    deals.push({
      id: String(o.id),
      name: o.properties.dealname ?? null,
      stage: o.properties.dealstage ?? null,
      closeAt: toInstant(o.properties.closedate),
      cents: toCents(o.properties.amount),
      companyIds: (o.associations?.companies?.results ?? []).map((a) => String(a.id)),
    });
  }
  return deals;
}

/** Every company with its last-modified instant. */
export async function readCrmCompanies(crm: HttpClient): Promise<CrmCompany[]> {
  const companies: CrmCompany[] = [];
  for await (const o of listObjects(crm, 'companies', ['name', 'hs_lastmodifieddate'])) {
    companies.push({ id: String(o.id), name: o.properties.name ?? null, modifiedAt: toInstant(o.properties.hs_lastmodifieddate) });
  }
  return companies;
}
