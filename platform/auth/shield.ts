import { GraphQLError, type DocumentNode } from 'graphql';
import { allow, rule, shield } from 'graphql-shield';
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
 * - `fallbackRule: deny` (the default is allow): a field added to the schema
 *   outside this SDL is closed until declared.
 * - Every field of the SDL's object types is opened explicitly with `allow`
 *   or its rule; `Query._service`, `Query._entities` and `_Service.sdl` are
 *   opened by name (federation adds them; the gateway needs them).
 * - `allowExternalErrors: true`: a resolver's own error (a CRM outage with its
 *   code) reaches the client instead of becoming "Not Authorised!".
 * - Rules use `cache: 'no_cache'`: shield's `contextual` cache keys on the
 *   rule name only, ignoring parent and arguments; our checks are cheap.
 * - Rules never see `__resolveReference` (shield wraps field resolvers only):
 *   see guardReferenceResolvers.
 */
export function buildShieldFromSdl(typeDefs: string | DocumentNode, options: SubgraphAuthOptions = {}) {
  const rules = readAuthorizationRules(typeDefs);
  return shield(shieldRulesFromAuthorizationRules(typeDefs, rules, options), {
    fallbackRule: deniedByFallback,
    allowExternalErrors: true,
    debug: false,
    fallbackError: (_error: unknown, _parent: unknown, _args: unknown, _ctx: unknown, info: { parentType: { name: string }; fieldName: string }) =>
      unauthorizedFieldError(`${info.parentType.name}.${info.fieldName}`),
  });
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
  return rule(coordinate, { cache: 'no_cache' })((_parent, _args, context, info) => {
    if (satisfies(getPrincipal(context), requirement)) return true;
    return unauthorizedFieldError(coordinate, pathOf(info.path));
  });
}

function pathOf(path: { prev: unknown; key: string | number } | undefined): Array<string | number> {
  const keys: Array<string | number> = [];
  for (let node = path; node; node = node.prev as typeof path) keys.unshift(node.key);
  return keys;
}

export { GraphQLError };
