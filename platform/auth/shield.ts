import { GraphQLError, isIntrospectionType, isObjectType, type DocumentNode, type GraphQLResolveInfo, type GraphQLSchema } from 'graphql';
import { middleware, type IMiddlewareFunction, type IMiddlewareTypeMap } from 'graphql-middleware';
import { allow, rule } from 'graphql-shield';
import type { IRule, IRules } from 'graphql-shield';

/** shield's own ShieldRule type is not exported; its rules and logic rules both fit here. */
type ShieldRule = IRule | typeof allow;
import { readAuthorizationRules } from './directives.js';
import { unauthorizedFieldError } from './errors.js';
import { ANONYMOUS, type Principal } from './principal.js';
import { fieldRequirement, isRestricted, satisfies, type AuthorizationRules, type Requirement } from './requirements.js';
import { objectFieldsOf } from './sdlTypes.js';

export interface SubgraphAuthOptions {
  /** Where the verified principal lives in the resolver context. @default ctx.principal, else anonymous */
  getPrincipal?: (context: unknown) => Principal;
}

export function defaultGetPrincipal(context: unknown): Principal {
  const principal = (context as { principal?: Principal } | null | undefined)?.principal;
  return principal ?? ANONYMOUS;
}

/** Code of the refusal for a field no rule was generated for (a type added outside the SDL). */
export const NOT_IN_RULES = 'UNAUTHORIZED_FIELD_OR_TYPE';

/**
 * Derives graphql-shield rules from the `@authenticated` / `@requiresScopes`
 * directives of a subgraph's own SDL, so the rules are never written twice.
 *
 * Choices, each against a shield default that would leak or mislead:
 * - `fallbackRule: deny` (the default is allow): a type added to the schema
 *   outside this SDL is closed until declared (a field added to one of its
 *   types is open through that type's `*`, as it always was).
 * - Every field of the SDL's object types is opened explicitly with `allow`
 *   or its rule; `Query._service`, `Query._entities` and `_Service.sdl` are
 *   opened by name (federation adds them; the gateway needs them).
 * - `allowExternalErrors: true`: a resolver's own error (a CRM outage with its
 *   code) reaches the client instead of becoming "Not Authorised!".
 * - Rules use `cache: 'no_cache'`: shield's `contextual` cache keys on the
 *   rule name only, ignoring parent and arguments; our checks are cheap.
 * - Rules never see `__resolveReference` (shield wraps field resolvers only):
 *   see guardReferenceResolvers.
 *
 * The rules are applied as graphql-shield's generator applies them (the
 * field's rule, else its type's `*`, else the fallback; types without rules
 * get the fallback) with one difference: a field whose rule is `allow` is
 * not wrapped. shield wraps every field of the schema in an async middleware,
 * so every scalar of an answer became a promise — on a large answer the
 * subgraph's biggest cost after its database (issue 14). A field that is
 * allowed whatever the caller gains nothing from the wrapper: its resolver's
 * value or error reaches graphql-js the same way. A field with a scope rule
 * is checked synchronously: shield runs every rule through promises, which
 * in the ERP meant each customer field and each product's `stock` — a merged
 * call of 16 customers made 4,152 promises with them and 3,260 without
 * (counted) — a cost per entity, paid for a check that reads the principal's
 * scopes and nothing else. The rule objects stay shield's (the rule tree,
 * the fallback rule's evaluation).
 */
export function buildShieldFromSdl(typeDefs: string | DocumentNode, options: SubgraphAuthOptions = {}) {
  const rules = readAuthorizationRules(typeDefs);
  const tree = shieldRulesFromAuthorizationRules(typeDefs, rules, options) as Record<string, Record<string, ShieldRule>>;
  return middleware((schema: GraphQLSchema) => guardFields(schema, tree));
}

const fallbackError = (_error: unknown, _parent: unknown, _args: unknown, _ctx: unknown, info: { parentType: { name: string }; fieldName: string }) =>
  unauthorizedFieldError(`${info.parentType.name}.${info.fieldName}`);

/** The options graphql-shield hands its rules (rules with `cache: 'no_cache'` read only `debug`). */
const SHIELD_OPTIONS = { debug: false, allowExternalErrors: true, fallbackError };

/** graphql-shield's generateMiddlewareFromSchemaAndRuleTree, leaving `allow` fields unwrapped; its validation errors kept. */
function guardFields(schema: GraphQLSchema, tree: Record<string, Record<string, ShieldRule>>): IMiddlewareTypeMap {
  const typeMap = schema.getTypeMap();
  const unknownTypes = Object.keys(tree).filter((type) => !Object.prototype.hasOwnProperty.call(typeMap, type));
  if (unknownTypes.length > 0) throw new Error(`It seems like you have applied rules to ${unknownTypes.join(', ')} types but Shield cannot find them in your schema.`);
  const map: IMiddlewareTypeMap = {};
  for (const [typeName, type] of Object.entries(typeMap)) {
    if (isIntrospectionType(type) || !isObjectType(type)) continue;
    const fields = type.getFields();
    const typeRules = tree[typeName];
    if (typeRules) {
      const unknownFields = Object.keys(typeRules).filter((field) => field !== '*' && !Object.prototype.hasOwnProperty.call(fields, field));
      if (unknownFields.length > 0) {
        throw new Error(`It seems like you have applied rules to ${unknownFields.map((f) => `${typeName}.${f}`).join(', ')} fields but Shield cannot find them in your schema.`);
      }
    }
    const guarded: Record<string, IMiddlewareFunction> = {};
    for (const field of Object.keys(fields)) {
      const fieldRule = typeRules ? (typeRules[field] ?? typeRules['*'] ?? deniedByFallback) : deniedByFallback;
      if (fieldRule !== allow) guarded[field] = guardedResolver(fieldRule as IRule);
    }
    if (Object.keys(guarded).length > 0) map[typeName] = guarded;
  }
  return map;
}

/**
 * A scope rule's check without shield's promises; any other rule through
 * shield's field middleware (generateFieldMiddlewareFromRule) with this
 * module's options. A resolver's own error reaches graphql-js either way.
 */
function guardedResolver(fieldRule: IRule): IMiddlewareFunction {
  const check = SCOPE_CHECKS.get(fieldRule);
  if (!check) return shieldGuard(fieldRule);
  return function guardedByScopes(resolve, parent, args, ctx, info) {
    const verdict = check(ctx, info);
    return verdict === true ? resolve(parent, args, ctx, info) : verdict;
  };
}

type ScopeCheck = (context: unknown, info: GraphQLResolveInfo) => true | GraphQLError;
/** The synchronous check behind each rule made by requirementRule. */
const SCOPE_CHECKS = new WeakMap<object, ScopeCheck>();

type GuardFunction = Extract<IMiddlewareFunction, (...args: never[]) => unknown>;

function shieldGuard(fieldRule: IRule): GuardFunction {
  return async function guarded(resolve, parent, args, ctx, info) {
    const context = (ctx ?? {}) as { _shield?: { cache: Record<string, unknown> } };
    context._shield ??= { cache: {} };
    try {
      const result = await (fieldRule as unknown as { resolve: (...a: unknown[]) => Promise<unknown> }).resolve(parent, args, context, info, SHIELD_OPTIONS);
      if (result === true) return await resolve(parent, args, context, info);
      if (result === false) return fallbackError(null, parent, args, context, info as GraphQLResolveInfo);
      return result;
    } catch (error) {
      // allowExternalErrors: the resolver's own error reaches the client.
      return error;
    }
  };
}

const deniedByFallback = rule('concord-fallback-deny', { cache: 'no_cache' })(() => false);

/** The rule map itself (plain data + rule objects), exported so tests can read which fields are guarded. */
export function shieldRulesFromAuthorizationRules(
  typeDefs: string | DocumentNode,
  rules: AuthorizationRules,
  options: SubgraphAuthOptions = {},
): IRules {
  const getPrincipal = options.getPrincipal ?? defaultGetPrincipal;
  const map: Record<string, Record<string, ShieldRule>> = {};
  for (const [typeName, fields] of objectFieldsOf(typeDefs)) {
    const typeRules: Record<string, ShieldRule> = { '*': allow };
    for (const [fieldName, returnType] of fields) {
      const requirement = fieldRequirement(rules, typeName, fieldName, returnType);
      if (isRestricted(requirement)) typeRules[fieldName] = requirementRule(`${typeName}.${fieldName}`, requirement, getPrincipal);
    }
    map[typeName] = typeRules;
  }
  map.Query = { ...(map.Query ?? { '*': allow }), _service: allow, _entities: allow };
  map._Service = { sdl: allow };
  return map as IRules;
}

function requirementRule(coordinate: string, requirement: Requirement, getPrincipal: (context: unknown) => Principal): ShieldRule {
  const check: ScopeCheck = (context, info) => (satisfies(getPrincipal(context), requirement) ? true : unauthorizedFieldError(coordinate, pathOf(info.path)));
  const shieldRule = rule(coordinate, { cache: 'no_cache' })((_parent, _args, context, info) => check(context, info));
  SCOPE_CHECKS.set(shieldRule, check);
  return shieldRule;
}

function pathOf(path: { prev: unknown; key: string | number } | undefined): Array<string | number> {
  const keys: Array<string | number> = [];
  for (let node = path; node; node = node.prev as typeof path) keys.unshift(node.key);
  return keys;
}

export { GraphQLError };
