import { MapperKind, mapSchema, pruneSchema } from '@graphql-tools/utils';
import { getNamedType, type GraphQLFieldConfig, type GraphQLSchema } from 'graphql';
import type { Principal } from '../../platform/auth/principal.js';
import { satisfies, scopesMentioned, type AuthorizationRules } from '../../platform/auth/requirements.js';
// Introspection hides exactly what execution nulls: the same requirement function.
import { requirementAt } from './filterFields.js';

/** Types of the API schema that no root reaches (e.g. `PiiMask`): pruning must keep them, or an admin would see less than the API schema. */
function orphanTypes(schema: GraphQLSchema): Set<string> {
  const reachable = pruneSchema(schema).getTypeMap();
  return new Set(Object.keys(schema.getTypeMap()).filter((name) => !(name in reachable)));
}

/**
 * The API schema as one principal may read it: every type whose type-level
 * requirement they do not meet is gone (with the fields returning it, its
 * union memberships and interface implementations), every field they may
 * not read is gone (object, interface and root fields, Mutation included, and
 * fields taking an argument of a hidden type), and what is left empty or
 * unreachable is pruned (a type with no readable field, the input types of a
 * hidden mutation, a root type with nothing left). Fields they read masked
 * (`@pii`) stay: they are readable. Returns `schema` itself when nothing is hidden.
 */
export function visibleSchema(schema: GraphQLSchema, rules: AuthorizationRules, principal: Principal): GraphQLSchema {
  const hiddenType = (name: string): boolean => {
    const requirement = rules.types[name];
    return requirement !== undefined && !satisfies(principal, requirement);
  };
  const visibleField = (typeName: string, fieldName: string, config: GraphQLFieldConfig<unknown, unknown>): boolean => {
    if (!satisfies(principal, requirementAt(rules, schema, typeName, fieldName, getNamedType(config.type).name))) return false;
    return !Object.values(config.args ?? {}).some((arg) => hiddenType(getNamedType(arg.type).name));
  };

  let anythingHidden = false;
  const mapped = mapSchema(schema, {
    [MapperKind.TYPE]: (type) => {
      if (!hiddenType(type.name)) return undefined;
      anythingHidden = true;
      return null;
    },
    [MapperKind.COMPOSITE_FIELD]: (config, fieldName, typeName) => {
      if (visibleField(typeName, fieldName, config)) return undefined;
      anythingHidden = true;
      return null;
    },
  });
  if (!anythingHidden) return schema;
  const orphans = orphanTypes(schema);
  return pruneSchema(mapped, { skipPruning: (type) => orphans.has(type.name) });
}

/**
 * What a principal's view depends on: signed in or not, and the scopes the
 * rules mention (others change nothing, so a token with extra scopes shares
 * the view of its profile and the cache stays a handful of entries).
 */
export function visibilityKey(rules: AuthorizationRules, principal: Principal, mentioned: ReadonlySet<string> = new Set(scopesMentioned(rules))): string {
  if (principal.kind !== 'user') return 'anon';
  return `u:${principal.scopes.filter((scope) => mentioned.has(scope)).sort().join(' ')}`;
}

/** Distinct views kept per API schema; deployments have a handful of profiles. */
const MAX_VIEWS_PER_SCHEMA = 32;

/**
 * The visible schemas, built once per (API schema, visibility key) and kept
 * least-recently-used. Keyed by the API schema object, which the gateway
 * replaces on every supergraph change, so a reload starts fresh views (the
 * old ones go with the old schema: WeakMap).
 */
export class VisibleSchemas {
  readonly #views = new WeakMap<GraphQLSchema, { mentioned: Set<string>; byKey: Map<string, GraphQLSchema> }>();

  constructor(private readonly maxViews = MAX_VIEWS_PER_SCHEMA) {}

  get(schema: GraphQLSchema, rules: AuthorizationRules, principal: Principal): GraphQLSchema {
    let views = this.#views.get(schema);
    if (!views) this.#views.set(schema, (views = { mentioned: new Set(scopesMentioned(rules)), byKey: new Map() }));
    const key = visibilityKey(rules, principal, views.mentioned);
    let view = views.byKey.get(key);
    if (view) {
      // Re-insert: Map order is the recency order.
      views.byKey.delete(key);
    } else {
      view = visibleSchema(schema, rules, principal);
      if (views.byKey.size >= this.maxViews) views.byKey.delete(views.byKey.keys().next().value!);
    }
    views.byKey.set(key, view);
    return view;
  }
}
