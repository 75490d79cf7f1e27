export * from './config.js';
export * from './db/index.js';
export * from './http/index.js';
export * from './httpServer.js';
export * from './loaders.js';
export * from './sourceErrors.js';
export * from './sourceRequests.js';
export * from './subgraphServer.js';
