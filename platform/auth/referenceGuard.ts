import type { DocumentNode } from 'graphql';
import { readAuthorizationRules } from './directives.js';
import { unauthorizedFieldError } from './errors.js';
import { isRestricted, satisfies } from './requirements.js';
import { defaultGetPrincipal, type SubgraphAuthOptions } from './shield.js';

type ReferenceResolver = (reference: unknown, context: unknown, info: unknown) => unknown;
type ResolverMap = Record<string, Record<string, unknown> | unknown>;

/**
 * graphql-shield wraps field resolvers only, never `__resolveReference`: a
 * direct `_entities` call would run the reference resolver (a source read,
 * with its cost and its logs) for a type the caller may not read at all.
 * This wraps every `__resolveReference` of a type carrying a type-level
 * `@authenticated` / `@requiresScopes` so the refusal comes before the read.
 * Field-level rules still apply to the fields of the returned object through
 * shield, whatever `__resolveReference` loaded.
 */
export function guardReferenceResolvers<T extends ResolverMap>(resolvers: T, typeDefs: string | DocumentNode, options: SubgraphAuthOptions = {}): T {
  const rules = readAuthorizationRules(typeDefs);
  const getPrincipal = options.getPrincipal ?? defaultGetPrincipal;
  const guarded: ResolverMap = { ...resolvers };
  for (const [typeName, typeResolvers] of Object.entries(resolvers)) {
    const resolveReference = (typeResolvers as Record<string, unknown> | undefined)?.__resolveReference as ReferenceResolver | undefined;
    const requirement = rules.types[typeName];
    if (typeof resolveReference !== 'function' || !requirement || !isRestricted(requirement)) continue;
    guarded[typeName] = {
      ...(typeResolvers as Record<string, unknown>),
      // async so the refusal nulls this representation only, not the whole _entities list.
      async __resolveReference(reference: unknown, context: unknown, info: unknown) {
        if (!satisfies(getPrincipal(context), requirement)) throw unauthorizedFieldError(typeName);
        return resolveReference(reference, context, info);
      },
    };
  }
  return guarded as T;
}
