import { CrmApiError, notFound } from '../errors.js';
import { readJsonBody } from '../http.js';
import { resolveObjectType, type ObjectType } from '../objectTypes.js';
import { batchReadAssociations } from './associations.js';
import type { RouteContext, RouteResult } from './context.js';
import { batchReadObjects, listObjects, readObject } from './objects.js';
import { searchObjects } from './search.js';
import { archiveObject, createObject, mergeObjects, updateObject } from './writes.js';

export type { RouteContext, RouteResult } from './context.js';
export { LIST_LIMITS, MAX_ASSOCIATION_INPUTS, MAX_BATCH_READ_INPUTS } from '../../../platform/hubspot/index.js';

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw notFound(`Malformed path segment: ${segment}`);
  }
}

function objectType(segment: string): ObjectType {
  const name = decodeSegment(segment);
  const type = resolveObjectType(name);
  // HubSpot's wording for an object type it does not know.
  if (!type) throw notFound(`Unable to infer object type from: ${name}`);
  return type;
}

function methodNotAllowed(method: string, allowed: string): CrmApiError {
  return new CrmApiError(405, 'VALIDATION_ERROR', `Method ${method} is not allowed here; use ${allowed}`);
}

/**
 * Dispatches a HubSpot CRM API request to its handler:
 *
 *   GET  /crm/v3/objects/{type}                        listObjects
 *   GET  /crm/v3/objects/{type}/{id}                   readObject
 *   POST /crm/v3/objects/{type}/batch/read             batchReadObjects
 *   POST /crm/v3/objects/{type}/search                 searchObjects
 *   POST /crm/v3/objects/{type}                        createObject
 *   PATCH /crm/v3/objects/{type}/{id}                  updateObject
 *   DELETE /crm/v3/objects/{type}/{id}                 archiveObject
 *   POST /crm/v3/objects/{type}/merge                  mergeObjects
 *   POST /crm/v4/associations/{from}/{to}/batch/read   batchReadAssociations
 *
 * Anything else is HubSpot's 404.
 */
export async function routeRequest(context: RouteContext): Promise<RouteResult> {
  const method = context.request.method ?? 'GET';
  const segments = context.url.pathname.split('/').filter(Boolean);
  const [crm, version, resource, ...rest] = segments;
  if (crm !== 'crm') throw notFound();

  if (version === 'v3' && resource === 'objects' && rest.length >= 1) {
    const type = objectType(rest[0]);
    if (rest.length === 1) {
      if (method === 'POST') return createObject(context, type, await readJsonBody(context.request));
      if (method !== 'GET') throw methodNotAllowed(method, 'GET or POST');
      return listObjects(context, type);
    }
    if (rest.length === 2 && rest[1] === 'search') {
      if (method !== 'POST') throw methodNotAllowed(method, 'POST');
      return searchObjects(context, type, await readJsonBody(context.request));
    }
    if (rest.length === 2 && rest[1] === 'merge') {
      if (method !== 'POST') throw methodNotAllowed(method, 'POST');
      return mergeObjects(context, type, await readJsonBody(context.request));
    }
    if (rest.length === 2) {
      if (method === 'PATCH') return updateObject(context, type, decodeSegment(rest[1]), await readJsonBody(context.request));
      if (method === 'DELETE') return archiveObject(context, type, decodeSegment(rest[1]));
      if (method !== 'GET') throw methodNotAllowed(method, 'GET, PATCH or DELETE');
      return readObject(context, type, decodeSegment(rest[1]));
    }
    if (rest.length === 3 && rest[1] === 'batch' && rest[2] === 'read') {
      if (method !== 'POST') throw methodNotAllowed(method, 'POST');
      return batchReadObjects(context, type, await readJsonBody(context.request));
    }
  }

  if (version === 'v4' && resource === 'associations' && rest.length === 4 && rest[2] === 'batch' && rest[3] === 'read') {
    const fromType = objectType(rest[0]);
    const toType = objectType(rest[1]);
    if (method !== 'POST') throw methodNotAllowed(method, 'POST');
    return batchReadAssociations(context, fromType, toType, await readJsonBody(context.request));
  }

  throw notFound();
}

