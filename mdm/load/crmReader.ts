import type pg from 'pg';
import { request } from 'undici';
import { quoteIdent } from '../../platform/db/index.js';
import { MdmError } from '../errors.js';
import type { SourceRecord } from '../types.js';

/** One CRM object as HubSpot's v3 API returns it: string properties and an id. */
export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  updatedAt?: string | null;
}

/**
 * What the MDM needs from a CRM: every object of one type, page by page.
 * The HubSpot client is the real path; the table reader lets tests and tools
 * read the CRM stand-in's storage directly.
 */
export interface CrmReader {
  listObjects(objectType: 'companies' | 'products', properties: readonly string[]): AsyncIterable<CrmObject>;
}

/** HubSpot company properties read (vat is a custom property HubSpot portals commonly add). */
export const CRM_COMPANY_PROPERTIES = ['name', 'domain', 'website', 'phone', 'address', 'address2', 'city', 'zip', 'country', 'vat', 'email'] as const;
/** HubSpot product properties read (gtin and manufacturer are custom properties). */
export const CRM_PRODUCT_PROPERTIES = ['name', 'hs_sku', 'price', 'description', 'gtin', 'manufacturer'] as const;

export interface HubSpotReaderOptions {
  baseUrl: string;
  token: string;
  /** Page size; HubSpot's maximum for list endpoints. @default 100 */
  pageSize?: number;
  /** Retries on 429/5xx, honouring Retry-After. @default 5 */
  maxRetries?: number;
}

/** Lists objects with `GET /crm/v3/objects/{type}?limit&after&properties`, following `paging.next.after`. */
export function hubSpotReader(options: HubSpotReaderOptions): CrmReader {
  const base = options.baseUrl.replace(/\/$/, '');
  const limit = options.pageSize ?? 100;
  const maxRetries = options.maxRetries ?? 5;
  return {
    async *listObjects(objectType, properties) {
      let after: string | undefined;
      do {
        const url = new URL(`${base}/crm/v3/objects/${objectType}`);
        url.searchParams.set('limit', String(limit));
        url.searchParams.set('properties', properties.join(','));
        if (after) url.searchParams.set('after', after);
        const page = await getJson(url.toString(), options.token, maxRetries);
        for (const result of page.results ?? []) {
          yield { id: String(result.id), properties: result.properties ?? {}, updatedAt: result.updatedAt ?? null };
        }
        after = page.paging?.next?.after;
      } while (after);
    },
  };
}

async function getJson(url: string, token: string, maxRetries: number): Promise<any> {
  for (let attempt = 0; ; attempt++) {
    let status: number;
    let body: string;
    let retryAfter: string | string[] | undefined;
    try {
      const response = await request(url, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
      status = response.statusCode;
      retryAfter = response.headers['retry-after'];
      body = await response.body.text();
    } catch (error) {
      if (attempt < maxRetries) { await sleep(200 * 2 ** attempt); continue; }
      throw new MdmError('MDM_SOURCE_UNAVAILABLE', `CRM unreachable at ${url}: ${(error as Error).message}`, { source: 'crm' });
    }
    if (status === 200) return JSON.parse(body);
    if ((status === 429 || status >= 500) && attempt < maxRetries) {
      const seconds = Number(Array.isArray(retryAfter) ? retryAfter[0] : retryAfter);
      await sleep(Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 10) * 1000 : 200 * 2 ** attempt);
      continue;
    }
    throw new MdmError('MDM_SOURCE_UNAVAILABLE', `CRM answered ${status} for ${url}: ${body.slice(0, 200)}`, { source: 'crm', status });
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads the CRM stand-in's own table (crm.objects) page by page, by id. */
export function crmTableReader(pool: pg.Pool, options: { schema?: string; pageSize?: number } = {}): CrmReader {
  const s = quoteIdent(options.schema ?? 'crm');
  const pageSize = options.pageSize ?? 1000;
  return {
    async *listObjects(objectType) {
      let lastId = '0';
      for (;;) {
        const { rows } = await pool.query(
          `SELECT id::text AS id, properties, updated_at FROM ${s}.objects
            WHERE object_type = $1 AND NOT archived AND id > $2::bigint ORDER BY id LIMIT $3`,
          [objectType, lastId, pageSize],
        );
        for (const row of rows) yield { id: row.id, properties: row.properties, updatedAt: row.updated_at?.toISOString?.() ?? null };
        if (rows.length < pageSize) return;
        lastId = rows[rows.length - 1].id;
      }
    },
  };
}

/** Maps HubSpot companies to customer source records. */
export async function readCrmCustomers(reader: CrmReader, system = 'crm'): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const o of reader.listObjects('companies', CRM_COMPANY_PROPERTIES)) records.push(crmCompanyToRecord(o, system));
  return records;
}

/** One HubSpot company as a customer source record (change capture maps webhook-read companies the same way). */
export function crmCompanyToRecord(o: CrmObject, system = 'crm'): SourceRecord {
  const p = o.properties;
  return {
    entityType: 'customer',
    system,
    sourceId: o.id,
    attributes: {
      name: p.name ?? null,
      taxId: p.vat ?? null,
      primaryEmail: p.email ?? null,
      domain: p.domain || p.website || null,
      phone: p.phone ?? null,
      street: [p.address, p.address2].filter(Boolean).join(', ') || null,
      city: p.city ?? null,
      postcode: p.zip ?? null,
      country: p.country ?? null,
    },
    updatedAt: o.updatedAt ?? null,
  };
}

/** Maps HubSpot products to product source records. */
export async function readCrmProducts(reader: CrmReader, system = 'crm'): Promise<SourceRecord[]> {
  const records: SourceRecord[] = [];
  for await (const o of reader.listObjects('products', CRM_PRODUCT_PROPERTIES)) {
    const p = o.properties;
    const price = p.price === null || p.price === undefined || p.price === '' ? null : Number(p.price);
    records.push({
      entityType: 'product',
      system,
      sourceId: o.id,
      attributes: {
        sku: p.hs_sku ?? null,
        gtin: p.gtin ?? null,
        name: p.name ?? null,
        listPrice: price !== null && Number.isFinite(price) ? price : null,
        manufacturer: p.manufacturer ?? null,
        description: p.description ?? null,
      },
      updatedAt: o.updatedAt ?? null,
    });
  }
  return records;
}
