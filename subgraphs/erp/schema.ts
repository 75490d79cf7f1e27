import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import type { SourceRequestListener } from '../kit/index.js';
import type { ErpDatabase } from './erpDatabase.js';
import { createErpLoaders } from './loaders.js';
import { erpResolvers, type ErpContext } from './resolvers.js';
import { erpTypeDefs } from './typeDefs.js';

/**
 * The ERP subgraph's executable schema, apart from any server so it can be
 * wrapped (graphql-shield rules derived from its directives) before serving.
 * The schema holds no state: the database is reached through the per-request
 * context built by {@link createErpContext}.
 */
export function buildErpSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: erpTypeDefs, resolvers: erpResolvers }]);
}

export interface ErpContextDeps {
  db: ErpDatabase;
  onSourceRequest?: SourceRequestListener;
}

/** A request's context: fresh loaders, so no cached row crosses requests or callers. */
export function createErpContext(deps: ErpContextDeps): ErpContext {
  return { loaders: createErpLoaders(deps.db, deps.onSourceRequest) };
}

