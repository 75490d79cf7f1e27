import { OBJECT_TYPE_INFO, type ObjectType } from './objectTypes.js';

/** One row of crm.objects as the store reads it (bigint ids come back as strings from pg). */
export interface ObjectRow {
  id: string;
  properties: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
  archived: boolean;
}

/** A CRM object as HubSpot's v3 API returns it. Property values are strings or null, as in HubSpot. */
export interface HubSpotObject {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  archivedAt?: string;
  associations?: Record<string, { results: Array<{ id: string; type: string }> }>;
}

/**
 * The property names a response carries: the type's default set when the
 * request names none; otherwise the named ones plus the three HubSpot always
 * adds (hs_object_id, createdate and the last-modified date).
 */
export function selectPropertyNames(type: ObjectType, requested: readonly string[] | undefined): string[] {
  const info = OBJECT_TYPE_INFO[type];
  if (!requested || requested.length === 0) return [...info.defaultProperties];
  const names = new Set(requested);
  names.add('hs_object_id');
  names.add('createdate');
  names.add(info.modifiedProperty);
  return [...names];
}

/** Builds HubSpot's object shape from a stored row; system properties come from the row's columns. */
export function toHubSpotObject(type: ObjectType, row: ObjectRow, propertyNames: readonly string[]): HubSpotObject {
  const info = OBJECT_TYPE_INFO[type];
  const createdAt = new Date(row.created_at).toISOString();
  const updatedAt = new Date(row.updated_at).toISOString();
  const properties: Record<string, string | null> = {};
  for (const name of propertyNames) {
    if (name === 'hs_object_id') properties[name] = row.id;
    else if (name === 'createdate') properties[name] = createdAt;
    else if (name === 'hs_lastmodifieddate' || name === info.modifiedProperty) properties[name] = updatedAt;
    else {
      const value = row.properties[name];
      // HubSpot stores every property as a string; a seed that wrote a number still reads back as one.
      properties[name] = value === undefined || value === null ? null : typeof value === 'string' ? value : String(value);
    }
  }
  const object: HubSpotObject = { id: row.id, properties, createdAt, updatedAt, archived: row.archived };
  if (row.archived) object.archivedAt = updatedAt;
  return object;
}
