export { loadQualitySubgraphConfig, type QualitySubgraphConfig } from './config.js';
export { startQualitySubgraph, type QualitySubgraphOptions, type RunningQualitySubgraph } from './server.js';
export { buildQualitySchema, createQualityContext } from './schema.js';
export { qualityTypeDefs, qualityTypeDefsSource } from './typeDefs.js';
export { qualityResolvers, type QualityContext } from './resolvers.js';
