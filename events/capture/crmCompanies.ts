import { request } from 'undici';
import { CRM_COMPANY_PROPERTIES, crmCompanyToRecord, type CrmObject } from '../../mdm/load/crmReader.js';
import type { CapturedChange } from '../change.js';

/** What change capture needs of HubSpot's companies API. */
export interface CrmCompanies {
  /** `POST /crm/v3/objects/companies/batch/read`, 100 ids a request; archived ones are absent. */
  read(ids: string[]): Promise<CrmObject[]>;
  /** `POST /crm/v3/objects/companies/search` on hs_lastmodifieddate ≥ `since` (ms), oldest first, one page. */
  modifiedSince(since: number, after?: string): Promise<{ results: CrmObject[]; after?: string }>;
  /** A company as the source change that sets the MDM's copy to it (event id: the company's version). */
  toChange(company: CrmObject): CapturedChange;
}

export function hubSpotCompanies(options: { baseUrl: string; token: string }): CrmCompanies {
  const post = (path: string, body: unknown) => hubSpotPost(options, path, body);
  const toObject = (r: any): CrmObject => ({ id: String(r.id), properties: r.properties ?? {}, updatedAt: r.updatedAt ?? r.properties?.hs_lastmodifieddate ?? null });
  return {
    async read(ids) {
      const out: CrmObject[] = [];
      for (let i = 0; i < ids.length; i += 100) {
        const page = await post('/crm/v3/objects/companies/batch/read', { inputs: ids.slice(i, i + 100).map((id) => ({ id })), properties: [...CRM_COMPANY_PROPERTIES] });
        out.push(...(page.results ?? []).map(toObject));
      }
      return out;
    },
    async modifiedSince(since, after) {
      const page = await post('/crm/v3/objects/companies/search', {
        filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(since) }] }],
        sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'ASCENDING' }],
        properties: [...CRM_COMPANY_PROPERTIES], limit: 100, ...(after ? { after } : {}),
      });
      return { results: (page.results ?? []).map(toObject), ...(page.paging?.next?.after ? { after: String(page.paging.next.after) } : {}) };
    },
    toChange(company) {
      const record = crmCompanyToRecord(company);
      const updatedAt = company.updatedAt ?? new Date().toISOString();
      return {
        eventId: `crm:companies:${company.id}:${updatedAt}`, system: 'CRM', objectType: 'companies', entityType: 'customer',
        sourceId: company.id, op: 'upsert', occurredAt: updatedAt, updatedAt, record: { ...record, updatedAt },
      };
    },
  };
}

/**
 * How many companies were modified after `since` (ms), and the newest such
 * modification: a search on hs_lastmodifieddate from the next millisecond
 * (HubSpot's timestamps are milliseconds; a store keeping microseconds would
 * count the watermark's own company under GT), newest first, one
 * result (HubSpot's search answers the `total`). `concord cdc status` uses
 * it for the CRM's lag behind the catch-up sweep.
 */
export async function hubSpotModifiedAfter(options: { baseUrl: string; token: string }, since: number): Promise<{ total: number; newest: string | null }> {
  const page = await hubSpotPost(options, '/crm/v3/objects/companies/search', {
    filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GTE', value: String(since + 1) }] }],
    sorts: [{ propertyName: 'hs_lastmodifieddate', direction: 'DESCENDING' }], properties: ['hs_lastmodifieddate'], limit: 1,
  });
  const newest = page.results?.[0];
  return { total: Number(page.total ?? 0), newest: newest ? (newest.updatedAt ?? newest.properties?.hs_lastmodifieddate ?? null) : null };
}

/** A POST to HubSpot's API with the private-app token; anything but 200/207 is an error naming the path. */
async function hubSpotPost(options: { baseUrl: string; token: string }, path: string, body: unknown): Promise<any> {
  const response = await request(`${options.baseUrl.replace(/\/$/, '')}${path}`, {
    method: 'POST', body: JSON.stringify(body),
    headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', accept: 'application/json' },
    headersTimeout: 10_000, bodyTimeout: 10_000,
  });
  const text = await response.body.text();
  if (response.statusCode !== 200 && response.statusCode !== 207) throw new Error(`CRM answered ${response.statusCode} for POST ${path}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}
