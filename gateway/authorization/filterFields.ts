import { GraphQLError, getNamedType, isInterfaceType, type DocumentNode, type GraphQLSchema, type SelectionNode, type SelectionSetNode } from 'graphql';
import { UNAUTHORIZED_FIELD_OR_TYPE } from '../../platform/auth/errors.js';
import type { Principal } from '../../platform/auth/principal.js';
import { combineRequirements, fieldRequirement, satisfies, type AuthorizationRules, type Requirement } from '../../platform/auth/requirements.js';
import { TYPENAME_ALIAS, editDocument, pathPattern, walkOperationFields, type PathSegment } from '../operation/operationWalk.js';

export type AuthorizationMode = 'filter' | 'reject';

/** A field taken out of the operation, with where its null goes in the answer. */
export interface RemovedField {
  coordinate: string;
  path: PathSegment[];
}

export interface FilteredOperation {
  /** The operation to plan: unauthorized fields removed (unchanged in reject mode or when nothing was removed). */
  document: DocumentNode;
  /** One per response path pattern, code UNAUTHORIZED_FIELD_OR_TYPE. */
  errors: GraphQLError[];
  removed: RemovedField[];
  /** Reject mode with something unauthorized: answer `{ errors }` without executing. */
  rejected: boolean;
}

/**
 * The requirement of a field as the gateway sees it: its own, its parent
 * type's, its return type's, and — when selected on an interface — every
 * implementation's, since the subgraphs will check the concrete type.
 */
export function requirementAt(rules: AuthorizationRules, schema: GraphQLSchema, parentTypeName: string, fieldName: string, returnType: string): Requirement {
  let requirement = fieldRequirement(rules, parentTypeName, fieldName, returnType);
  const parent = schema.getType(parentTypeName);
  if (parent && isInterfaceType(parent)) {
    for (const implementation of schema.getPossibleTypes(parent)) {
      requirement = combineRequirements(requirement, fieldRequirement(rules, implementation.name, fieldName, returnType));
    }
  }
  return requirement;
}

/**
 * Gateway-side authorization, as Apollo Router does it: before planning,
 * every field the principal may not read is removed, so no subgraph fetch
 * serves only them; each gets an error with its path, and
 * `insertUnauthorizedNulls` puts `null` back in the answer. In 'reject' mode
 * any unauthorized field refuses the whole operation instead.
 * The document must be valid against `schema` (the API schema).
 */
export function filterUnauthorizedFields(
  document: DocumentNode,
  schema: GraphQLSchema,
  rules: AuthorizationRules,
  principal: Principal,
  mode: AuthorizationMode = 'filter',
  operationName?: string | null,
): FilteredOperation {
  const remove = new Set<SelectionNode>();
  const addTypename = new Set<SelectionSetNode>();
  const removed: RemovedField[] = [];
  const errors: GraphQLError[] = [];
  const seenPaths = new Set<string>();
  const decisions = new Map<string, boolean>();

  const report = (coordinate: string, path: PathSegment[], pattern: string[]) => {
    const key = pattern.join('.') + (path[path.length - 1]?.onTypes?.join('|') ?? '') + coordinate;
    if (seenPaths.has(key)) return;
    seenPaths.add(key);
    removed.push({ coordinate, path });
    errors.push(new GraphQLError('Unauthorized field or type', { path: pattern, extensions: { code: UNAUTHORIZED_FIELD_OR_TYPE, coordinate } }));
  };

  walkOperationFields(document, schema, operationName, (field) => {
    let allowed = decisions.get(field.coordinate);
    if (allowed === undefined) {
      const requirement = requirementAt(rules, schema, field.parentType.name, field.fieldDef.name, getNamedType(field.fieldDef.type).name);
      allowed = satisfies(principal, requirement);
      decisions.set(field.coordinate, allowed);
    }
    if (allowed) return true;
    remove.add(field.node);
    if (field.abstractOwner) addTypename.add(field.abstractOwner);
    report(field.coordinate, field.path, pathPattern(field.path));
    return false;
  }, (fragment) => {
    // A type condition on a protected type goes whole, as in the Router: objects of
    // that type come back without those fields (no nulls, nothing to propagate).
    const requirement = rules.types[fragment.typeCondition.name];
    if (!requirement || satisfies(principal, requirement)) return true;
    remove.add(fragment.node);
    const pattern = pathPattern(fragment.path);
    const last = fragment.path[fragment.path.length - 1];
    if (last && /\[/.test(last.type)) pattern.push('@');
    report(fragment.typeCondition.name, [], pattern);
    return false;
  });

  if (!removed.length) return { document, errors, removed, rejected: false };
  if (mode === 'reject') return { document, errors, removed, rejected: true };
  return { document: editDocument(document, { remove, addTypename }), errors, removed, rejected: false };
}

type Json = Record<string, unknown>;

function isNonNull(type: string): boolean {
  return type.endsWith('!');
}

function typeMatches(object: Json, segment: PathSegment): boolean {
  return !segment.onTypes || segment.onTypes.includes(object[TYPENAME_ALIAS] as string) || segment.onTypes.includes(object.__typename as string);
}

/** Sets the removed field to null in one object; true when that object must itself become null (non-null field). */
function insertInObject(object: Json, path: PathSegment[], index: number): boolean {
  const segment = path[index];
  if (!typeMatches(object, segment)) return false;
  if (index === path.length - 1) {
    object[segment.key] = null;
    return isNonNull(segment.type);
  }
  const value = object[segment.key];
  if (value === null || value === undefined) return false;
  if (insertInValue(value, segment.type, path, index + 1)) {
    object[segment.key] = null;
    return isNonNull(segment.type);
  }
  return false;
}

/** Descends one value of the given (printed) type; true when the value must become null. */
function insertInValue(value: unknown, type: string, path: PathSegment[], index: number): boolean {
  const nullable = isNonNull(type) ? type.slice(0, -1) : type;
  if (nullable.startsWith('[')) {
    const itemType = nullable.slice(1, -1);
    const list = value as unknown[];
    for (let i = 0; i < list.length; i += 1) {
      if (list[i] === null || list[i] === undefined) continue;
      if (insertInValue(list[i], itemType, path, index)) {
        list[i] = null;
        if (isNonNull(itemType)) return true;
      }
    }
    return false;
  }
  return insertInObject(value as Json, path, index);
}

/**
 * Puts `null` where each removed field would have been, propagating nulls
 * up through non-null fields and list items as GraphQL execution would
 * (spec 6.4.4 "Handling Field Errors"). Mutates and returns `data`; returns
 * null when the propagation reaches the root.
 */
export function insertUnauthorizedNulls(data: Json | null | undefined, removed: readonly RemovedField[]): Json | null {
  if (!data) return data ?? null;
  for (const field of removed) {
    if (!field.path.length) continue; // a removed type condition: nothing to put back
    if (insertInObject(data, field.path, 0)) return null;
  }
  return data;
}

/** Removes the gateway's internal aliases from an answer (they never reach the client). */
export function stripInternalAliases(value: unknown): void {
  if (Array.isArray(value)) {
    for (const item of value) stripInternalAliases(item);
  } else if (value && typeof value === 'object') {
    const object = value as Json;
    // `delete` turns a V8 object into a slow dictionary; only objects that
    // really carry an internal alias pay for it.
    if (TYPENAME_ALIAS in object) delete object[TYPENAME_ALIAS];
    if ('_concordId' in object) delete object._concordId;
    for (const child of Object.values(object)) if (child && typeof child === 'object') stripInternalAliases(child);
  }
}

/** The client's answer: nulls inserted, internal aliases removed, authorization errors first. */
export function mergeAuthorizationResult<T extends { data?: Json | null; errors?: readonly unknown[] }>(
  result: T,
  filtered: Pick<FilteredOperation, 'errors' | 'removed'>,
): T {
  const data = result.data === undefined ? undefined : insertUnauthorizedNulls(result.data, filtered.removed);
  if (data) stripInternalAliases(data);
  const errors = [...filtered.errors.map((e) => e.toJSON()), ...(result.errors ?? [])];
  return { ...result, data, ...(errors.length ? { errors } : {}) };
}
