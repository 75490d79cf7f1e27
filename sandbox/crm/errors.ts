import { randomUUID } from 'node:crypto';
import type { HubSpotErrorBody, HubSpotErrorCategory } from '../../platform/hubspot/index.js';

export type { HubSpotErrorBody, HubSpotErrorCategory } from '../../platform/hubspot/index.js';

/**
 * An error a handler throws to answer with HubSpot's error shape. The status
 * and category are HubSpot's; `headers` carries extras such as Retry-After.
 */
export class CrmApiError extends Error {
  constructor(
    readonly status: number,
    readonly category: HubSpotErrorCategory,
    message: string,
    readonly extra: Partial<Pick<HubSpotErrorBody, 'subCategory' | 'context' | 'errors' | 'policyName' | 'errorType'>> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'CrmApiError';
  }

  toBody(correlationId: string = randomUUID()): HubSpotErrorBody {
    return { status: 'error', message: this.message, correlationId, category: this.category, ...this.extra };
  }
}

/** 400 VALIDATION_ERROR: the request was understood but its content is not acceptable. */
export function validationError(message: string, errors?: HubSpotErrorBody['errors']): CrmApiError {
  return new CrmApiError(400, 'VALIDATION_ERROR', message, errors ? { errors } : {});
}

/** 404 OBJECT_NOT_FOUND, as HubSpot answers for a missing record or an unknown route. */
export function notFound(message = 'resource not found'): CrmApiError {
  return new CrmApiError(404, 'OBJECT_NOT_FOUND', message);
}

/**
 * HubSpot's message for a missing or unknown bearer token (seen verbatim in
 * HubSpot API client issues, e.g. HubSpot/hubspot-api-nodejs#432).
 */
export const AUTHENTICATION_MESSAGE =
  'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function unauthenticated(): CrmApiError {
  return new CrmApiError(401, 'INVALID_AUTHENTICATION', AUTHENTICATION_MESSAGE);
}

/**
 * HubSpot's answer to a batch over its input cap, verbatim as its API sends it:
 * "The maximum number of inputs supported in a batch is 100. Please reduce the
 * number of items and try again".
 */
export function tooManyInputs(max: number): CrmApiError {
  return validationError(`The maximum number of inputs supported in a batch is ${max}. Please reduce the number of items and try again`);
}
