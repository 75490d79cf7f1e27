import { LIST_LIMITS, MAX_BATCH_READ_INPUTS } from '../../../platform/hubspot/index.js';
import { notFound, validationError } from '../errors.js';
import { OBJECT_TYPE_INFO, resolveObjectType, type ObjectType } from '../objectTypes.js';
import { selectPropertyNames, toHubSpotObject, type HubSpotObject, type ObjectRow } from '../serialize.js';
import type { AssociationRow } from '../store.js';
import { archivedParam, batchInputIds, propertiesParam, type RouteContext, type RouteResult } from './context.js';


/** The v3 association type name, e.g. "contact_to_company", or the label when the edge has one. */
function v3AssociationType(from: ObjectType, to: ObjectType, row: AssociationRow): string {
  if (row.label) return row.label.toLowerCase().replace(/[^a-z0-9]+/g, '_');
  return `${OBJECT_TYPE_INFO[from].singular}_to_${OBJECT_TYPE_INFO[to].singular}`;
}

/** `?associations=companies,deals`: attaches v3-style association lists to the objects, one SQL per target type. */
async function attachAssociations(context: RouteContext, type: ObjectType, objects: HubSpotObject[]): Promise<void> {
  const names = context.url.searchParams
    .getAll('associations')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  if (names.length === 0 || objects.length === 0) return;
  for (const name of new Set(names)) {
    const toType = resolveObjectType(name);
    if (!toType) throw validationError(`associations: unknown object type ${JSON.stringify(name)}`);
    const rows = await context.store.readAssociations(type, objects.map((o) => o.id), toType);
    const byFrom = new Map<string, Array<{ id: string; type: string }>>();
    for (const row of rows) {
      const list = byFrom.get(row.from_id) ?? [];
      const entry = { id: row.to_id, type: v3AssociationType(type, toType, row) };
      if (!list.some((e) => e.id === entry.id && e.type === entry.type)) list.push(entry);
      byFrom.set(row.from_id, list);
    }
    for (const object of objects) {
      const results = byFrom.get(object.id);
      if (results) (object.associations ??= {})[toType] = { results };
    }
  }
}

/** `GET /crm/v3/objects/{type}/{id}` — one record, 404 when it does not exist. */
export async function readObject(context: RouteContext, type: ObjectType, id: string): Promise<RouteResult> {
  const idProperty = context.url.searchParams.get('idProperty') ?? undefined;
  const [row] = await context.store.readObjects(type, [id], { idProperty, archived: archivedParam(context.url) });
  if (!row) throw notFound();
  const object = toHubSpotObject(type, row, selectPropertyNames(type, propertiesParam(context.url)));
  await attachAssociations(context, type, [object]);
  return { status: 200, body: object };
}

/** `GET /crm/v3/objects/{type}?limit&after` — a page in id order with HubSpot's `paging.next` cursor. */
export async function listObjects(context: RouteContext, type: ObjectType): Promise<RouteResult> {
  const { searchParams } = context.url;
  const rawLimit = searchParams.get('limit');
  const limit = rawLimit === null || rawLimit === '' ? LIST_LIMITS.defaultLimit : Number(rawLimit);
  if (!Number.isInteger(limit) || limit < 1 || limit > LIST_LIMITS.maxLimit) {
    throw validationError(`limit: expected an integer from 1 to ${LIST_LIMITS.maxLimit}, got ${JSON.stringify(rawLimit)}`);
  }
  const after = searchParams.get('after') || undefined;
  if (after !== undefined && !/^\d{1,18}$/.test(after)) {
    throw validationError(`after: expected the paging cursor from a previous answer, got ${JSON.stringify(after)}`);
  }
  const rows = await context.store.listObjects(type, { afterId: after, limit, archived: archivedParam(context.url) });
  const page = rows.slice(0, limit);
  const names = selectPropertyNames(type, propertiesParam(context.url));
  const results = page.map((row) => toHubSpotObject(type, row, names));
  await attachAssociations(context, type, results);
  const body: { results: HubSpotObject[]; paging?: { next: { after: string; link: string } } } = { results };
  if (rows.length > limit) {
    // The cursor is the last id served; the next page starts after it.
    const nextAfter = page[page.length - 1].id;
    const link = new URL(context.url.pathname, context.origin);
    for (const [key, value] of searchParams) if (key !== 'after') link.searchParams.append(key, value);
    link.searchParams.set('after', nextAfter);
    body.paging = { next: { after: nextAfter, link: link.toString() } };
  }
  return { status: 200, body };
}

/**
 * `POST /crm/v3/objects/{type}/batch/read` — up to 100 records in one SQL
 * statement. Missing ids make it a 207 with HubSpot's OBJECT_NOT_FOUND error
 * naming them, the found records still in `results`.
 */
export async function batchReadObjects(context: RouteContext, type: ObjectType, body: unknown): Promise<RouteResult> {
  const startedAt = new Date().toISOString();
  const ids = [...new Set(batchInputIds(body, MAX_BATCH_READ_INPUTS, context))];
  const request = body as Record<string, unknown>;
  let properties: string[] | undefined;
  if (request.properties !== undefined) {
    if (!Array.isArray(request.properties) || request.properties.some((p) => typeof p !== 'string')) {
      throw validationError(`properties: expected an array of property names, got ${JSON.stringify(request.properties)}`);
    }
    properties = request.properties as string[];
  }
  const idProperty = request.idProperty;
  if (idProperty !== undefined && (typeof idProperty !== 'string' || idProperty === '')) {
    throw validationError(`idProperty: expected a property name, got ${JSON.stringify(idProperty)}`);
  }
  const rows = await context.store.readObjects(type, ids, { idProperty, archived: archivedParam(context.url) });
  const keyOf = (row: ObjectRow) =>
    idProperty && idProperty !== 'hs_object_id' ? String(row.properties[idProperty] ?? '') : row.id;
  const byKey = new Map<string, ObjectRow>();
  for (const row of rows) if (!byKey.has(keyOf(row))) byKey.set(keyOf(row), row);
  const names = selectPropertyNames(type, properties);
  const results: HubSpotObject[] = [];
  const missing: string[] = [];
  const byId = !idProperty || idProperty === 'hs_object_id';
  for (const id of ids) {
    // Stored ids have no leading zeros; "007" names record 7 as in HubSpot.
    const row = byKey.get(byId && /^\d{1,18}$/.test(id) ? BigInt(id).toString() : id);
    if (row) results.push(toHubSpotObject(type, row, names));
    else missing.push(id);
  }
  const completedAt = new Date().toISOString();
  if (missing.length === 0) return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } };
  return {
    status: 207,
    body: {
      status: 'COMPLETE',
      results,
      numErrors: 1,
      errors: [
        {
          status: 'error',
          category: 'OBJECT_NOT_FOUND',
          message: `Could not get some ${OBJECT_TYPE_INFO[type].singular.toUpperCase()} objects, they may be deleted or not exist. Check that ids are valid.`,
          context: { ids: missing },
        },
      ],
      startedAt,
      completedAt,
    },
  };
}

