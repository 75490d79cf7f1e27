import type { GraphQLSchema } from 'graphql';
import { buildGuardedSubgraphSchema } from '../../platform/auth/guardedSchema.js';
import type { SourceRequestListener } from '../../platform/index.js';
import type { ErpDatabase } from './erpDatabase.js';
import { createErpLoaders } from './loaders.js';
import { erpResolvers, type ErpContext } from './resolvers.js';
import { erpTypeDefs } from './typeDefs.js';

/**
 * The ERP subgraph's executable schema, guarded by the rules its own SDL
 * declares (graphql-shield from @requiresScopes, reference guard, PII masks).
 * The schema holds no state: the database is reached through the per-request
 * context built by {@link createErpContext}.
 */
export function buildErpSchema(): GraphQLSchema {
  return buildGuardedSubgraphSchema(erpTypeDefs, erpResolvers);
}

export interface ErpContextDeps {
  db: ErpDatabase;
  onSourceRequest?: SourceRequestListener;
}

/** A request's context: fresh loaders, so no cached row crosses requests or callers. */
export function createErpContext(deps: ErpContextDeps): ErpContext {
  return { loaders: createErpLoaders(deps.db, deps.onSourceRequest) };
}

