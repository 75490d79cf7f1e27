import { HUBSPOT_OBJECT_TYPES, type HubSpotObjectType } from '../../platform/hubspot/index.js';

/**
 * The CRM object types the stand-in serves, under every name HubSpot accepts
 * for them in a path: the plural ("companies"), the singular ("company") and
 * the object type id ("0-2"). Storage always uses the plural.
 */
export const OBJECT_TYPES = HUBSPOT_OBJECT_TYPES;
export type ObjectType = HubSpotObjectType;

interface ObjectTypeInfo {
  /** HubSpot's object type id, e.g. "0-1" for contacts. */
  typeId: string;
  /** The singular name HubSpot uses in association type names and messages. */
  singular: string;
  /**
   * Properties returned when a request names none. From HubSpot's CRM docs
   * ("Each object … will include a set of default properties"): contacts get
   * createdate, email, firstname, hs_object_id, lastmodifieddate, lastname.
   */
  defaultProperties: readonly string[];
  /** The last-modified property's name: contacts predate the hs_ prefix. */
  modifiedProperty: string;
}

export const OBJECT_TYPE_INFO: Record<ObjectType, ObjectTypeInfo> = {
  contacts: {
    typeId: '0-1',
    singular: 'contact',
    defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    modifiedProperty: 'lastmodifieddate',
  },
  companies: {
    typeId: '0-2',
    singular: 'company',
    defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    modifiedProperty: 'hs_lastmodifieddate',
  },
  deals: {
    typeId: '0-3',
    singular: 'deal',
    defaultProperties: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
    modifiedProperty: 'hs_lastmodifieddate',
  },
  tickets: {
    typeId: '0-5',
    singular: 'ticket',
    defaultProperties: ['content', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_pipeline', 'hs_pipeline_stage', 'hs_ticket_category', 'hs_ticket_priority', 'subject'],
    modifiedProperty: 'hs_lastmodifieddate',
  },
  products: {
    typeId: '0-7',
    singular: 'product',
    defaultProperties: ['createdate', 'description', 'hs_lastmodifieddate', 'hs_object_id', 'name', 'price'],
    modifiedProperty: 'hs_lastmodifieddate',
  },
  line_items: {
    typeId: '0-8',
    singular: 'line_item',
    defaultProperties: ['amount', 'createdate', 'hs_lastmodifieddate', 'hs_object_id', 'hs_product_id', 'name', 'price', 'quantity'],
    modifiedProperty: 'hs_lastmodifieddate',
  },
};

const aliases = new Map<string, ObjectType>();
for (const type of OBJECT_TYPES) {
  const info = OBJECT_TYPE_INFO[type];
  aliases.set(type, type);
  aliases.set(info.singular, type);
  aliases.set(info.typeId, type);
}

/** Resolves a path segment to an object type, case-insensitively; undefined when HubSpot would not know it. */
export function resolveObjectType(name: string): ObjectType | undefined {
  return aliases.get(name.toLowerCase());
}

/**
 * Properties HubSpot maintains itself and the stand-in derives from its
 * columns rather than from the stored bag: the id and the two timestamps.
 */
export function isSystemProperty(type: ObjectType, name: string): boolean {
  return name === 'hs_object_id' || name === 'createdate' || name === 'hs_lastmodifieddate' || name === OBJECT_TYPE_INFO[type].modifiedProperty;
}
