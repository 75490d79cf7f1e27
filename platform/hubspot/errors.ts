import type { ErrorRegistry } from '../errors/registry.js';

/**
 * HubSpot's error categories with the HTTP status HubSpot sends each with. A
 * client written against HubSpot branches on these same strings, so the
 * stand-in answers with them verbatim.
 */
export const HUBSPOT_ERRORS = {
  VALIDATION_ERROR: { status: 400, description: 'CRM API: the request was understood but its content is not acceptable (a search over the limits, a batch over 100 inputs, a malformed body).' },
  INVALID_AUTHENTICATION: { status: 401, description: 'CRM API: no bearer token, or one the CRM does not know.' },
  OBJECT_NOT_FOUND: { status: 404, description: 'CRM API: no such record, association or route.' },
  RATE_LIMITS: { status: 429, description: 'CRM API: the rolling rate limit is spent; Retry-After says when to try again.' },
  INTERNAL_ERROR: { status: 500, description: 'CRM API: an unexpected failure inside the CRM.' },
} as const satisfies ErrorRegistry;

export type HubSpotErrorCategory = keyof typeof HUBSPOT_ERRORS;

/** The body HubSpot sends with every non-2xx answer. */
export interface HubSpotErrorBody {
  status: 'error';
  message: string;
  correlationId: string;
  category: HubSpotErrorCategory;
  subCategory?: string;
  context?: Record<string, string[]>;
  errors?: Array<{ message: string; in?: string; code?: string }>;
  /** Only on 429: which limit was hit (HubSpot: TEN_SECONDLY_ROLLING, DAILY). */
  policyName?: string;
  /** Only on 429: HubSpot's older name for the category. */
  errorType?: string;
}
