export { startCrmSandbox, type CrmSandbox, type CrmSandboxConfig, type CrmRequestLogEntry } from './server.js';
export { loadCrmSandboxConfig, parseRateLimit } from './config.js';
export { OBJECT_TYPES, resolveObjectType, type ObjectType } from './objectTypes.js';
export { MAX_BATCH_READ_INPUTS, MAX_ASSOCIATION_INPUTS, LIST_LIMITS } from './routes/index.js';
export { SEARCH_LIMITS, SEARCH_OPERATORS } from './search.js';
export type { HubSpotErrorBody, HubSpotErrorCategory } from '../../platform/hubspot/index.js';
export type { HubSpotObject } from './serialize.js';
