import { buildSubgraphSchema } from '@apollo/subgraph';
import type { DocumentNode, GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildPiiMiddleware } from './piiMiddleware.js';
import { guardReferenceResolvers } from './referenceGuard.js';
import { buildShieldFromSdl } from './shield.js';

/**
 * A subgraph's executable schema with ADR 0003's guards, all derived from the
 * same SDL: graphql-shield rules from `@authenticated`/`@requiresScopes`
 * (deny by default), `__resolveReference` of protected types guarded (shield
 * never sees it), and `@pii` fields masked for callers without `pii:read`.
 * The resolvers read the verified principal from `context.principal`.
 */
export function buildGuardedSubgraphSchema(typeDefs: DocumentNode, resolvers: object): GraphQLSchema {
  const schema = buildSubgraphSchema({ typeDefs, resolvers: guardReferenceResolvers(resolvers as Record<string, unknown>, typeDefs) as never });
  return applyMiddleware(schema, buildShieldFromSdl(typeDefs), buildPiiMiddleware(typeDefs));
}
