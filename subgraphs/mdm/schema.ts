import type { IncomingMessage } from 'node:http';
import type { GraphQLSchema } from 'graphql';
import type pg from 'pg';
import { buildGuardedSubgraphSchema } from '../../platform/auth/guardedSchema.js';
import type { SourceRequestListener } from '../../platform/index.js';
import type { MdmStore } from './mdmStore.js';
import { createMdmLoaders } from './loaders.js';
import { principalFromRequest } from './principal.js';
import { mdmResolvers, type MdmContext } from './resolvers.js';
import { searchResolvers } from './searchResolvers.js';
import { stewardResolvers } from './stewardResolvers.js';
import { mdmTypeDefs } from './typeDefs.js';

/**
 * The MDM subgraph's executable schema, guarded by the rules its own SDL
 * declares (graphql-shield from @requiresScopes, reference guard, PII masks;
 * ADR 0003).
 * The schema holds no state: the MDM store is reached through the per-request
 * context built by {@link createMdmContext}.
 */
export function buildMdmSchema(): GraphQLSchema {
  return buildGuardedSubgraphSchema(mdmTypeDefs, {
    ...mdmResolvers,
    Query: { ...mdmResolvers.Query, ...searchResolvers.Query, ...stewardResolvers.Query },
    Mutation: stewardResolvers.Mutation,
  });
}

export interface MdmContextDeps {
  store: MdmStore;
  /** The MDM store's pool: the engine's search and steward operations run on it. */
  pool: pg.Pool;
  onSourceRequest?: SourceRequestListener;
}

/**
 * A request's context: fresh loaders, so no cached row crosses requests or
 * callers, and an anonymous principal (principalFromRequest) that the kit's
 * server replaces with the one the verified gateway proof carries.
 */
export function createMdmContext(deps: MdmContextDeps, req?: Pick<IncomingMessage, 'headers'>): MdmContext {
  return {
    loaders: createMdmLoaders(deps.store, deps.onSourceRequest),
    principal: req ? principalFromRequest(req) : principalFromRequest({ headers: {} }),
    store: deps.store,
    pool: deps.pool,
  };
}
