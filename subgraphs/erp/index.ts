export { loadErpSubgraphConfig, type ErpSubgraphConfig } from './config.js';
export { startErpSubgraph, type ErpSubgraphOptions } from './server.js';
export { buildErpSchema, createErpContext, type ErpContextDeps } from './schema.js';
export { erpTypeDefs, erpTypeDefsSource } from './typeDefs.js';
export { erpResolvers, MAX_ORDERS_LAST, type ErpContext } from './resolvers.js';
export { createErpDatabase, type ErpDatabase } from './erpDatabase.js';
export { createErpLoaders, type ErpLoaders, type Stock } from './loaders.js';
