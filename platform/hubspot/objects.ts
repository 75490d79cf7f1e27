/**
 * The HubSpot CRM contract Concord relies on, in one place for both sides of
 * it: the CRM stand-in (sandbox/crm) serves it, the CRM subgraph's client and
 * the MDM loader call it. A real HubSpot account answers the same way, which
 * is what lets Concord point at one by changing a base URL and a token.
 */

/** The CRM v3 object types Concord reads, by the plural path names HubSpot uses. */
export const HUBSPOT_OBJECT_TYPES = ['companies', 'contacts', 'deals', 'tickets', 'products', 'line_items'] as const;
export type HubSpotObjectType = (typeof HUBSPOT_OBJECT_TYPES)[number];

/** HubSpot's cap on inputs of `POST /crm/v3/objects/{type}/batch/read`. */
export const MAX_BATCH_READ_INPUTS = 100;

/**
 * HubSpot's cap on inputs of the associations batch read (v3 and v4), in force
 * since 10 February 2025 per HubSpot's developer changelog ("Batch Read Limit
 * for HubSpot Associations API": at most 1000 IDs per request body).
 */
export const MAX_ASSOCIATION_INPUTS = 1000;

/** The list endpoint's page size: HubSpot defaults to 10 and allows up to 100. */
export const LIST_LIMITS = { defaultLimit: 10, maxLimit: 100 } as const;
