import { MAX_ASSOCIATION_INPUTS } from '../../../platform/hubspot/index.js';
import { OBJECT_TYPE_INFO, type ObjectType } from '../objectTypes.js';
import type { AssociationRow } from '../store.js';
import { batchInputIds, type RouteContext, type RouteResult } from './context.js';

interface AssociatedObject {
  toObjectId: number;
  associationTypes: Array<{ category: string; typeId: number; label: string | null }>;
}

/**
 * `POST /crm/v4/associations/{from}/{to}/batch/read` — every input's
 * associated ids with their association types, in one SQL statement. An input
 * without associations is a 207 error entry, as HubSpot answers
 * ("No company is associated with deal 123.", NO_ASSOCIATIONS_FOUND).
 */
export async function batchReadAssociations(context: RouteContext, fromType: ObjectType, toType: ObjectType, body: unknown): Promise<RouteResult> {
  const startedAt = new Date().toISOString();
  const ids = [...new Set(batchInputIds(body, MAX_ASSOCIATION_INPUTS, context))];
  const rows = await context.store.readAssociations(fromType, ids, toType);

  const byFrom = new Map<string, Map<string, AssociationRow[]>>();
  for (const row of rows) {
    const targets = byFrom.get(row.from_id) ?? new Map<string, AssociationRow[]>();
    targets.set(row.to_id, [...(targets.get(row.to_id) ?? []), row]);
    byFrom.set(row.from_id, targets);
  }
  const from = OBJECT_TYPE_INFO[fromType].singular;
  const to = OBJECT_TYPE_INFO[toType].singular;
  const results: Array<{ from: { id: string }; to: AssociatedObject[] }> = [];
  const errors: unknown[] = [];
  for (const id of ids) {
    // pg returns bigint as text; HubSpot's canonical form has no leading zeros.
    const key = /^\d+$/.test(id) ? BigInt(id).toString() : id;
    const targets = byFrom.get(key);
    if (!targets) {
      errors.push({
        status: 'error',
        category: 'OBJECT_NOT_FOUND',
        subCategory: 'crm.associations.NO_ASSOCIATIONS_FOUND',
        message: `No ${to} is associated with ${from} ${id}.`,
        context: { fromObjectId: [id], fromObjectType: [from], toObjectType: [to] },
      });
      continue;
    }
    results.push({
      from: { id },
      to: [...targets].map(([toId, edges]) => ({
        toObjectId: Number(toId),
        associationTypes: edges.map((edge) => ({ category: edge.category, typeId: edge.type_id, label: edge.label })),
      })),
    });
  }
  const completedAt = new Date().toISOString();
  if (errors.length === 0) return { status: 200, body: { status: 'COMPLETE', results, startedAt, completedAt } };
  return { status: 207, body: { status: 'COMPLETE', results, numErrors: errors.length, errors, startedAt, completedAt } };
}
