export { loadCrmSubgraphConfig, SANDBOX_CRM_BASE_URL, SANDBOX_CRM_TOKEN, type CrmSubgraphConfig } from './config.js';
export { startCrmSubgraph, type CrmSubgraphOptions } from './server.js';
export { buildCrmSchema, createCrmContext, type CrmSchemaDeps } from './schema.js';
export { crmTypeDefs, crmTypeDefsSource } from './typeDefs.js';
export { createCrmResolvers, type CrmContext } from './resolvers.js';
export { toCrmFieldError, type CrmLogger } from './fieldErrors.js';
export {
  createHubSpotClient,
  CRM_OBJECT_TYPES,
  type CrmObject,
  type CrmObjectType,
  type CrmSearchPage,
  type HubSpotClient,
  type HubSpotClientOptions,
} from './hubspotClient.js';
export { createCrmLoaders, loadAssociatedObjects, CRM_PROPERTIES, type CrmLoaders } from './loaders.js';
export { validateCrmSearchInput, CrmInputError, type CrmSearchInput } from './searchInput.js';
export { toContact, toDeal, toDealLineItem, toTicket, CLOSED_TICKET_STAGE, type Contact, type Deal, type DealLineItem, type Ticket } from './mappers.js';
export { MAX_ASSOCIATION_INPUTS, MAX_BATCH_READ_INPUTS } from '../../platform/hubspot/index.js';
