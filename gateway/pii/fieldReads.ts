import { getNamedType, type DocumentNode, type GraphQLSchema, type SelectionSetNode } from 'graphql';
import { maskValue, type PiiMask } from '../../platform/auth/masks.js';
import { hasScope, type Principal } from '../../platform/auth/principal.js';
import { PII_READ_SCOPE, fieldRequirement, type AuthorizationRules } from '../../platform/auth/requirements.js';
import { ID_ALIAS, TYPENAME_ALIAS, editDocument, walkOperationFields, type PathSegment } from '../operation/operationWalk.js';

/** Scopes whose fields are audited on every read, beside every `@pii` field. */
export const DEFAULT_AUDITED_SCOPES = ['pii:read', 'finance:read'];

/** A sensitive field the operation reads: masked for this principal, audited, or both. */
export interface FieldRead {
  coordinate: string;
  path: PathSegment[];
  /** Set when the principal lacks `pii:read` and the field is declared `@pii(mask:)`. */
  mask?: PiiMask;
  audited: boolean;
}

export interface FieldReadPlan {
  /** The operation with `_concordId: id` beside audited fields (to record entity ids) and __typename where type conditions need it. */
  document: DocumentNode;
  reads: FieldRead[];
}

/**
 * Plans masking and auditing for an (already filtered) operation. Runs once
 * per operation and principal's scopes, so it is cacheable beside the plan.
 */
export function planFieldReads(
  document: DocumentNode,
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  principal: Principal,
  options: { operationName?: string | null; auditedScopes?: readonly string[] } = {},
): FieldReadPlan {
  const auditedScopes = options.auditedScopes ?? DEFAULT_AUDITED_SCOPES;
  const clear = hasScope(principal, PII_READ_SCOPE);
  const reads: FieldRead[] = [];
  const addId = new Set<SelectionSetNode>();
  const addTypename = new Set<SelectionSetNode>();
  walkOperationFields(document, schema, options.operationName, (field) => {
    const declaredMask = rules.pii[field.coordinate];
    const requirement = fieldRequirement(rules, field.parentType.name, field.fieldDef.name, getNamedType(field.fieldDef.type).name);
    const audited = Boolean(declaredMask) || requirement.scopes.some((group) => group.some((scope) => auditedScopes.includes(scope)));
    const mask = declaredMask && !clear ? declaredMask : undefined;
    if (!audited && !mask) return true;
    reads.push({ coordinate: field.coordinate, path: field.path, mask, audited });
    if (audited && 'getFields' in field.parentType && field.parentType.getFields().id) addId.add(field.container);
    if (field.abstractOwner) addTypename.add(field.abstractOwner);
    return true;
  });
  if (!reads.length) return { document, reads };
  return { document: editDocument(document, { addId, addTypename }), reads };
}

type Json = Record<string, unknown>;

/** Calls `visit` on every object holding the path's last field, across lists and type conditions. */
export function forEachParentAt(data: unknown, path: readonly PathSegment[], visit: (object: Json, key: string) => void, index = 0): void {
  if (data === null || data === undefined) return;
  if (Array.isArray(data)) {
    for (const item of data) forEachParentAt(item, path, visit, index);
    return;
  }
  const object = data as Json;
  const segment = path[index];
  if (segment.onTypes && !segment.onTypes.includes(object[TYPENAME_ALIAS] as string) && !segment.onTypes.includes(object.__typename as string)) return;
  if (index === path.length - 1) visit(object, segment.key);
  else forEachParentAt(object[segment.key], path, visit, index + 1);
}

/** What the answer actually carried of sensitive fields: the audit record's substance. */
export interface FieldReadSummary {
  /** Coordinates read with at least one non-null value, sorted. */
  fields: string[];
  /** Ids of the objects those fields were read on (from the injected `_concordId`), sorted, unique. */
  entityIds: string[];
  /** Whether any audited value was masked. */
  masked: boolean;
}

/** Masks the planned fields in place and summarises the sensitive reads for the audit log. */
export function applyFieldReads(data: Json | null | undefined, reads: readonly FieldRead[]): FieldReadSummary {
  const fields = new Set<string>();
  const entityIds = new Set<string>();
  let masked = false;
  if (data) {
    for (const read of reads) {
      forEachParentAt(data, read.path, (object, key) => {
        const value = object[key];
        if (value === null || value === undefined) return;
        if (read.mask) object[key] = maskValue(read.mask, value);
        if (!read.audited) return;
        fields.add(read.coordinate);
        if (read.mask) masked = true;
        const id = object[ID_ALIAS] ?? object.id;
        if (typeof id === 'string' || typeof id === 'number') entityIds.add(String(id));
      });
    }
  }
  return { fields: [...fields].sort(), entityIds: [...entityIds].sort(), masked };
}
