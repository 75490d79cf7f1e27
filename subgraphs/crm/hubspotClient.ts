import type { Tracer } from '@opentelemetry/api';
import { createHttpClient, HttpClientError, type HttpCircuitBreakerOptions, type HttpClient, type HttpClientOptions, type HttpRetryOptions, type SourceRequestListener } from '../../platform/index.js';
import { HUBSPOT_OBJECT_TYPES, MAX_ASSOCIATION_INPUTS, MAX_BATCH_READ_INPUTS, type HubSpotObjectType } from '../../platform/hubspot/index.js';
import { validateCrmSearchInput, type CrmSearchInput } from './searchInput.js';

/** The HubSpot CRM object types Concord reads (the contract's list). */
export const CRM_OBJECT_TYPES = HUBSPOT_OBJECT_TYPES;
export type CrmObjectType = HubSpotObjectType;

/** A CRM record as HubSpot's v3 API returns it: every property is a string or null. */
export interface CrmObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived?: boolean;
}

export interface CrmSearchPage {
  total: number;
  results: CrmObject[];
  /** Pass as `after` for the next page; absent on the last one. */
  nextAfter?: string;
}

export interface HubSpotClientOptions {
  /** The API root: https://api.hubapi.com for HubSpot, the stand-in's URL otherwise. */
  baseUrl: string;
  /** A private-app access token, sent as `Authorization: Bearer`. */
  token: string;
  /** Per attempt. @default 10000 */
  timeoutMs?: number;
  retry?: HttpRetryOptions;
  circuitBreaker?: HttpCircuitBreakerOptions | false;
  /** The CRM's breaker and bulkhead (see HttpClientOptions.guard). */
  guard?: HttpClientOptions['guard'];
  /** Waits for the CRM app's rate budget before each attempt (see HttpClientOptions.beforeAttempt). */
  beforeAttempt?: HttpClientOptions['beforeAttempt'];
  /** Told of each 429 (see HttpClientOptions.onRateLimited). */
  onRateLimited?: HttpClientOptions['onRateLimited'];
  /** Told of every HTTP round trip (one per chunk), so tests can count them. */
  onSourceRequest?: SourceRequestListener;
  /** A span per CRM call, within a traced request (the subgraph's tracer when tracing is on). */
  tracer?: Tracer;
}

export interface HubSpotClient {
  /**
   * Reads records by id: `POST /crm/v3/objects/{type}/batch/read` in chunks of
   * 100 sent in parallel. Ids HubSpot does not know are absent from the map.
   */
  batchRead(type: CrmObjectType, ids: readonly string[], properties: readonly string[]): Promise<Map<string, CrmObject>>;
  /**
   * The ids of `toType` records associated with each id of `fromType`:
   * `POST /crm/v4/associations/{from}/{to}/batch/read` in chunks of 1000.
   * Ids without associations are absent from the map.
   */
  associations(fromType: CrmObjectType, toType: CrmObjectType, ids: readonly string[]): Promise<Map<string, string[]>>;
  /** One page of `POST /crm/v3/objects/{type}/search`; the input is validated first (CrmInputError). */
  search(type: CrmObjectType, input: CrmSearchInput): Promise<CrmSearchPage>;
  /** A cheap authenticated read (one company), for health checks. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

interface BatchReadAnswer {
  results: CrmObject[];
}

interface AssociationsAnswer {
  results: Array<{
    from: { id: string };
    to: Array<{ toObjectId: number | string }>;
    paging?: { next?: { after?: string } };
  }>;
}

/** HubSpot record ids are positive integers; anything else cannot name a record. */
const RECORD_ID = /^[1-9][0-9]{0,18}$/;

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** Distinct valid record ids: an id that is not one matches nothing rather than failing the whole batch with a 400. */
function recordIds(ids: readonly string[]): string[] {
  return [...new Set(ids.filter((id) => RECORD_ID.test(id)))];
}

function badShape(method: string, path: string, expected: string): HttpClientError {
  return new HttpClientError('BAD_RESPONSE', `${method} ${path} answered without ${expected}`, { method, path, retryable: false });
}

/**
 * The CRM subgraph's client for HubSpot's CRM API (and the stand-in that
 * follows its contract). Reads only: batch read and search are POSTs that
 * change nothing, so they are marked idempotent and retried like GETs. A 207
 * (some inputs unknown, or without associations) is a success with fewer
 * results, as HubSpot intends.
 */
export function createHubSpotClient(options: HubSpotClientOptions): HubSpotClient {
  const http: HttpClient = createHttpClient({
    baseUrl: options.baseUrl,
    headers: { authorization: `Bearer ${options.token}` },
    timeoutMs: options.timeoutMs,
    retry: options.retry,
    circuitBreaker: options.circuitBreaker,
    guard: options.guard,
    beforeAttempt: options.beforeAttempt,
    onRateLimited: options.onRateLimited,
    tracer: options.tracer,
  });
  const report = (operation: string, size: number) => options.onSourceRequest?.({ source: 'crm', operation, size });

  async function post<T>(path: string, body: unknown, size: number): Promise<T> {
    report(`POST ${path}`, size);
    return http.postJson<T>(path, body, { idempotent: true });
  }

  return {
    async batchRead(type, ids, properties) {
      const path = `/crm/v3/objects/${type}/batch/read`;
      const found = new Map<string, CrmObject>();
      await Promise.all(
        chunk(recordIds(ids), MAX_BATCH_READ_INPUTS).map(async (part) => {
          const answer = await post<BatchReadAnswer>(path, { properties, inputs: part.map((id) => ({ id })) }, part.length);
          if (!Array.isArray(answer?.results)) throw badShape('POST', path, 'a results list');
          for (const object of answer.results) found.set(String(object.id), object);
        }),
      );
      return found;
    },

    async associations(fromType, toType, ids) {
      const path = `/crm/v4/associations/${fromType}/${toType}/batch/read`;
      const found = new Map<string, string[]>();
      // HubSpot pages a record's associations; an input with more comes back
      // with `paging.next.after` and is asked again with that cursor.
      let pending: Array<{ id: string; after?: string }> = recordIds(ids).map((id) => ({ id }));
      while (pending.length) {
        const next: typeof pending = [];
        await Promise.all(
          chunk(pending, MAX_ASSOCIATION_INPUTS).map(async (part) => {
            const answer = await post<AssociationsAnswer>(path, { inputs: part }, part.length);
            if (!Array.isArray(answer?.results)) throw badShape('POST', path, 'a results list');
            for (const result of answer.results) {
              const from = String(result.from?.id);
              const targets = found.get(from) ?? [];
              for (const to of result.to ?? []) targets.push(String(to.toObjectId));
              found.set(from, targets);
              const after = result.paging?.next?.after;
              if (after) next.push({ id: from, after });
            }
          }),
        );
        pending = next;
      }
      return found;
    },

    async search(type, input) {
      const body = validateCrmSearchInput(input);
      const path = `/crm/v3/objects/${type}/search`;
      const answer = await post<{ total?: number; results?: CrmObject[]; paging?: { next?: { after?: string } } }>(path, body, body.limit);
      if (!Array.isArray(answer?.results)) throw badShape('POST', path, 'a results list');
      const page: CrmSearchPage = { total: answer.total ?? answer.results.length, results: answer.results };
      if (answer.paging?.next?.after) page.nextAfter = answer.paging.next.after;
      return page;
    },

    async ping() {
      await http.getJson('/crm/v3/objects/companies', { query: { limit: 1 } });
    },

    close: () => http.close(),
  };
}
