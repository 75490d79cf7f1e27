import { notFound, validationError } from '../errors.js';
import type { ObjectType } from '../objectTypes.js';
import { selectPropertyNames, toHubSpotObject, type ObjectRow } from '../serialize.js';
import { isObjectId } from '../store.js';
import { isRecord, type RouteContext, type RouteResult } from './context.js';

/** Properties HubSpot computes itself: a write naming them is refused. */
const READ_ONLY = new Set(['hs_object_id', 'createdate', 'hs_lastmodifieddate', 'lastmodifieddate']);

function propertiesOf(body: unknown): Record<string, string | null> {
  if (!isRecord(body) || !isRecord(body.properties)) throw validationError(`Invalid input JSON: expected { "properties": { … } }, got ${JSON.stringify(body)}`);
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(body.properties)) {
    if (READ_ONLY.has(name)) throw validationError(`Property "${name}" is read-only`);
    if (value !== null && typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw validationError(`Property values must be strings, got ${JSON.stringify(value)} for "${name}"`);
    }
    out[name] = value === null ? null : String(value);
  }
  return out;
}

const objectBody = (type: ObjectType, row: ObjectRow) => toHubSpotObject(type, row, [...new Set([...selectPropertyNames(type, undefined), ...Object.keys(row.properties)])]);

/** `POST /crm/v3/objects/{type}` — creates a record; companies send company.creation (and a propertyChange per property, as HubSpot does). */
export async function createObject(context: RouteContext, type: ObjectType, body: unknown): Promise<RouteResult> {
  const properties = propertiesOf(body);
  const row = await context.store.createObject(type, properties);
  if (type === 'companies') {
    const occurredAt = new Date(row.created_at).getTime();
    context.webhooks?.emit([
      { subscriptionType: 'company.creation', objectId: Number(row.id), occurredAt },
      ...Object.entries(properties).map(([propertyName, value]) => ({
        subscriptionType: 'company.propertyChange' as const, objectId: Number(row.id), occurredAt, propertyName, propertyValue: value ?? '',
      })),
    ]);
  }
  return { status: 201, body: objectBody(type, row) };
}

/** `PATCH /crm/v3/objects/{type}/{id}` — updates properties; each changed one is a company.propertyChange. */
export async function updateObject(context: RouteContext, type: ObjectType, id: string, body: unknown): Promise<RouteResult> {
  const properties = propertiesOf(body);
  if (!isObjectId(id)) throw notFound();
  const result = await context.store.updateObject(type, id, properties);
  if (!result) throw notFound();
  if (type === 'companies') {
    const occurredAt = new Date(result.row.updated_at).getTime();
    context.webhooks?.emit(result.changed.map((propertyName) => ({
      subscriptionType: 'company.propertyChange' as const, objectId: Number(id), occurredAt, propertyName, propertyValue: properties[propertyName] ?? '',
    })));
  }
  return { status: 200, body: objectBody(type, result.row) };
}

/** `DELETE /crm/v3/objects/{type}/{id}` — archives the record (HubSpot's delete), 204. */
export async function archiveObject(context: RouteContext, type: ObjectType, id: string): Promise<RouteResult> {
  if (!isObjectId(id)) throw notFound();
  const row = await context.store.archiveObject(type, id);
  if (!row) throw notFound();
  if (type === 'companies') {
    context.webhooks?.emit([{ subscriptionType: 'company.deletion', objectId: Number(id), occurredAt: new Date(row.updated_at).getTime() }]);
  }
  return { status: 204, body: undefined };
}

/**
 * `POST /crm/v3/objects/companies/merge` `{ primaryObjectId, objectIdToMerge }`:
 * the merged record's properties fill the primary's empty ones, its
 * associations move to the primary, it is archived; one company.merge event
 * names both.
 */
export async function mergeObjects(context: RouteContext, type: ObjectType, body: unknown): Promise<RouteResult> {
  if (!isRecord(body)) throw validationError(`Invalid input JSON: expected { primaryObjectId, objectIdToMerge }, got ${JSON.stringify(body)}`);
  const primary = String(body.primaryObjectId ?? '');
  const merged = String(body.objectIdToMerge ?? '');
  if (!isObjectId(primary) || !isObjectId(merged)) throw validationError('primaryObjectId and objectIdToMerge must be object ids');
  if (primary === merged) throw validationError('An object cannot be merged into itself');
  const result = await context.store.mergeObjects(type, primary, merged);
  if (!result) throw notFound(`Could not find ${type} ${primary} or ${merged}`);
  if (type === 'companies') {
    context.webhooks?.emit([{
      subscriptionType: 'company.merge', objectId: Number(primary), occurredAt: new Date(result.row.updated_at).getTime(),
      primaryObjectId: Number(primary), mergedObjectIds: [Number(merged)], newObjectId: Number(primary), numberOfPropertiesMoved: result.moved,
    }]);
  }
  return { status: 200, body: objectBody(type, result.row) };
}
