import { buildGuardedSubgraphSchema } from '../../platform/auth/guardedSchema.js';
import type { GraphQLSchema } from 'graphql';
import type { CrmLogger } from './fieldErrors.js';
import type { HubSpotClient } from './hubspotClient.js';
import { createCrmLoaders } from './loaders.js';
import { createCrmResolvers, type CrmContext } from './resolvers.js';
import { crmTypeDefs } from './typeDefs.js';

export interface CrmSchemaDeps {
  /** Where failed CRM calls are logged with the upstream's answer (never sent to clients). */
  logger?: CrmLogger;
}

/**
 * The CRM subgraph's executable schema, guarded by the rules its own SDL
 * declares (graphql-shield from @requiresScopes, reference guard, PII masks).
 * The schema holds no connection: the CRM is reached through the per-request
 * context built by {@link createCrmContext}.
 */
export function buildCrmSchema(deps: CrmSchemaDeps = {}): GraphQLSchema {
  return buildGuardedSubgraphSchema(crmTypeDefs, createCrmResolvers(deps));
}

/** A request's context: fresh loaders, so no cached record crosses requests or callers. */
export function createCrmContext(deps: { client: HubSpotClient }): CrmContext {
  return { loaders: createCrmLoaders(deps.client) };
}
