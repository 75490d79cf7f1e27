export { loadMdmSubgraphConfig, type MdmSubgraphConfig } from './config.js';
export { startMdmSubgraph, type MdmSubgraphOptions } from './server.js';
export { buildMdmSchema, createMdmContext, type MdmContextDeps } from './schema.js';
export { mdmTypeDefs, mdmTypeDefsSource } from './typeDefs.js';
export { mdmResolvers, encodeCursor, decodeCursor, MAX_PAGE_SIZE, type MdmContext } from './resolvers.js';
export { createMdmStore, type MdmStore, type GoldenRecord, type GoldenPage, type XrefLink, type GoldenEntityType } from './mdmStore.js';
export { createMdmLoaders, type MdmLoaders } from './loaders.js';
