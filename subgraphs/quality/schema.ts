import type { GraphQLSchema } from 'graphql';
import { buildGuardedSubgraphSchema } from '../../platform/auth/guardedSchema.js';
import { ANONYMOUS } from '../../platform/auth/index.js';
import type pg from 'pg';
import type { ReconcileConfig, Reconciler } from '../../reconcile/index.js';
import { qualityResolvers, type QualityContext } from './resolvers.js';
import { qualityTypeDefs } from './typeDefs.js';

/** The quality subgraph's schema, guarded by the rules its own SDL declares (shield, PII masks; ADR 0003). */
export function buildQualitySchema(): GraphQLSchema {
  return buildGuardedSubgraphSchema(qualityTypeDefs, qualityResolvers);
}

export interface QualityContextDeps {
  pool: pg.Pool;
  reconciler: Reconciler;
  config: ReconcileConfig;
}

/** Anonymous until the kit's server puts the principal of the verified gateway proof in. */
export function createQualityContext(deps: QualityContextDeps): QualityContext {
  return { ...deps, principal: ANONYMOUS };
}
