import { buildSubgraphSchema } from '@apollo/subgraph';
import type { GraphQLSchema } from 'graphql';
import type { SourceRequestListener } from '../kit/index.js';
import type { MdmStore } from './mdmStore.js';
import { createMdmLoaders } from './loaders.js';
import { mdmResolvers, type MdmContext } from './resolvers.js';
import { mdmTypeDefs } from './typeDefs.js';

/**
 * The MDM subgraph's executable schema, apart from any server so it can be
 * wrapped (graphql-shield rules derived from its directives) before serving.
 * The schema holds no state: the MDM store is reached through the per-request
 * context built by {@link createMdmContext}.
 */
export function buildMdmSchema(): GraphQLSchema {
  return buildSubgraphSchema([{ typeDefs: mdmTypeDefs, resolvers: mdmResolvers }]);
}

export interface MdmContextDeps {
  store: MdmStore;
  onSourceRequest?: SourceRequestListener;
}

/** A request's context: fresh loaders, so no cached row crosses requests or callers. */
export function createMdmContext(deps: MdmContextDeps): MdmContext {
  return { loaders: createMdmLoaders(deps.store, deps.onSourceRequest) };
}

