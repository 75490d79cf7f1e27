import type { ObjectType } from '../objectTypes.js';
import { parseSearchRequest } from '../search.js';
import { selectPropertyNames, toHubSpotObject } from '../serialize.js';
import type { RouteContext, RouteResult } from './context.js';

/**
 * `POST /crm/v3/objects/{type}/search` — HubSpot's answer shape: `total`
 * matches, the page in `results`, and `paging.next.after` (an offset) while
 * more remain.
 */
export async function searchObjects(context: RouteContext, type: ObjectType, body: unknown): Promise<RouteResult> {
  const request = parseSearchRequest(body);
  const { total, rows } = await context.store.searchObjects(type, request);
  const names = selectPropertyNames(type, request.properties);
  const results = rows.map((row) => toHubSpotObject(type, row, names));
  const nextOffset = request.offset + rows.length;
  const answer: { total: number; results: unknown[]; paging?: { next: { after: string } } } = { total, results };
  if (rows.length > 0 && nextOffset < total) answer.paging = { next: { after: String(nextOffset) } };
  return { status: 200, body: answer };
}
