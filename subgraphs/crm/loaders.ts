import type DataLoader from 'dataloader';
import { createSourceLoader } from '../../platform/index.js';
import type { CrmObject, CrmObjectType, HubSpotClient } from './hubspotClient.js';

/**
 * The properties read for each type: exactly what the schema's fields map
 * from (see mappers.ts). Asking for named properties keeps HubSpot's answer
 * small and stable; with none it would send the type's default set.
 */
export const CRM_PROPERTIES: Readonly<Partial<Record<CrmObjectType, readonly string[]>>> = {
  contacts: ['firstname', 'lastname', 'email', 'phone', 'jobtitle'],
  deals: ['dealname', 'dealstage', 'pipeline', 'amount', 'closedate', 'hs_is_closed'],
  tickets: ['subject', 'hs_ticket_priority', 'hs_pipeline', 'hs_pipeline_stage', 'createdate'],
  line_items: ['name', 'quantity', 'price', 'amount'],
};

/**
 * The loaders themselves do not cap their batches: the client splits a batch
 * into the API's chunks (100 records, 1000 association inputs) and sends them
 * in parallel, so one plan level stays one wave of round trips. This bound
 * only keeps one request from asking the CRM for an unbounded list at once.
 */
const MAX_KEYS_PER_TICK = 10_000;

/**
 * A request's CRM loaders, created on first use per association pair and per
 * object type: every resolver of one plan level that asks for, say, the
 * contacts of its companies lands in the same batch, whatever the number of
 * customers.
 */
export interface CrmLoaders {
  /** Associated record ids, keyed by the `fromType` record id; [] when there are none. */
  associations(fromType: CrmObjectType, toType: CrmObjectType): DataLoader<string, string[]>;
  /** Records by id; null for an id the CRM does not know (an association to a deleted record). */
  objects(type: CrmObjectType): DataLoader<string, CrmObject | null>;
}

export function createCrmLoaders(client: HubSpotClient): CrmLoaders {
  const associationLoaders = new Map<string, DataLoader<string, string[]>>();
  const objectLoaders = new Map<CrmObjectType, DataLoader<string, CrmObject | null>>();
  return {
    associations(fromType, toType) {
      const key = `${fromType}/${toType}`;
      let loader = associationLoaders.get(key);
      if (!loader) {
        loader = createSourceLoader<string, string[]>({
          source: 'crm',
          operation: `POST /crm/v4/associations/${fromType}/${toType}/batch/read`,
          fetchMany: (ids) => client.associations(fromType, toType, ids),
          missing: () => [],
          maxBatchSize: MAX_KEYS_PER_TICK,
        });
        associationLoaders.set(key, loader);
      }
      return loader;
    },
    objects(type) {
      let loader = objectLoaders.get(type);
      if (!loader) {
        const properties = CRM_PROPERTIES[type] ?? [];
        loader = createSourceLoader<string, CrmObject | null>({
          source: 'crm',
          operation: `POST /crm/v3/objects/${type}/batch/read`,
          fetchMany: (ids) => client.batchRead(type, ids, properties),
          missing: () => null,
          maxBatchSize: MAX_KEYS_PER_TICK,
        });
        objectLoaders.set(type, loader);
      }
      return loader;
    },
  };
}

/**
 * The records of `toType` associated with any of `fromIds`, each once: one
 * association load and one record load per id, which the loaders gather with
 * every other resolver's of the same tick into one batch each.
 */
export async function loadAssociatedObjects(
  loaders: CrmLoaders,
  fromType: CrmObjectType,
  fromIds: readonly string[],
  toType: CrmObjectType,
): Promise<CrmObject[]> {
  const associations = loaders.associations(fromType, toType);
  const lists = await Promise.all([...new Set(fromIds)].map((id) => associations.load(id)));
  const toIds = [...new Set(lists.flat())];
  if (toIds.length === 0) return [];
  const objects = loaders.objects(toType);
  const records = await Promise.all(toIds.map((id) => objects.load(id)));
  return records.filter((record): record is CrmObject => record !== null);
}
