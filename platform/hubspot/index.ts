export { HUBSPOT_OBJECT_TYPES, LIST_LIMITS, MAX_ASSOCIATION_INPUTS, MAX_BATCH_READ_INPUTS, type HubSpotObjectType } from './objects.js';
export { SEARCH_LIMITS, SEARCH_OPERATORS, isSearchOperator, type SearchFilter, type SearchOperator, type SearchSort } from './search.js';
export { HUBSPOT_ERRORS, type HubSpotErrorBody, type HubSpotErrorCategory } from './errors.js';
