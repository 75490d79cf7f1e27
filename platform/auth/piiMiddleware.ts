import type { DocumentNode, GraphQLFieldResolver } from 'graphql';
import { readAuthorizationRules } from './directives.js';
import { maskValue } from './masks.js';
import { hasScope } from './principal.js';
import { PII_READ_SCOPE } from './requirements.js';
import { defaultGetPrincipal, type SubgraphAuthOptions } from './shield.js';

type FieldMiddleware = (resolve: GraphQLFieldResolver<unknown, unknown>, parent: unknown, args: unknown, context: unknown, info: unknown) => unknown;

/**
 * A graphql-middleware field map that masks `@pii` fields for callers without
 * `pii:read`, in the subgraph itself: defence in depth beside the gateway's
 * masking (masks are idempotent, so masking twice is harmless). Do not put
 * `@pii` on a field used in a `@key` or `@requires`: the join would see the mask.
 */
export function buildPiiMiddleware(typeDefs: string | DocumentNode, options: SubgraphAuthOptions = {}): Record<string, Record<string, FieldMiddleware>> {
  const rules = readAuthorizationRules(typeDefs);
  const getPrincipal = options.getPrincipal ?? defaultGetPrincipal;
  const middleware: Record<string, Record<string, FieldMiddleware>> = {};
  for (const [coordinate, mask] of Object.entries(rules.pii)) {
    const [typeName, fieldName] = coordinate.split('.');
    middleware[typeName] ??= {};
    // Synchronous unless the resolver is not: a promise per masked field made every contact's answer wait a turn (issue 14).
    middleware[typeName][fieldName] = (resolve, parent, args, context, info) => {
      const value = resolve(parent, args, context, info as never);
      if (hasScope(getPrincipal(context), PII_READ_SCOPE)) return value;
      return isPromiseLike(value) ? Promise.resolve(value).then((resolved) => maskValue(mask, resolved)) : maskValue(mask, value);
    };
  }
  return middleware;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
