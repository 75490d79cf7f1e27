import type { GraphQLError } from 'graphql';
import { HttpClientError, sourceError, sourceErrorRegistry } from '../../platform/index.js';

/** The CRM subgraph's source errors, beside every subgraph's codes. */
export const CRM_ERRORS = sourceErrorRegistry('crm', 'The CRM API', ['UNAVAILABLE', 'RATE_LIMITED', 'UNAUTHENTICATED', 'BAD_RESPONSE']);

/** Where a CRM failure is written for operators, upstream body included. Pino's `warn` fits. */
export interface CrmLogger {
  warn(details: Record<string, unknown>, message: string): void;
}

/**
 * Turns a failed CRM call into the error a field returns: CRM_UNAVAILABLE,
 * CRM_RATE_LIMITED (with `retryAfter` in seconds), CRM_UNAUTHENTICATED or
 * CRM_BAD_RESPONSE, with `extensions.source: 'crm'`. The client sees what
 * happened and what to do; the upstream body, hosts and paths go only to the
 * log. Anything else (a bug) is rethrown as is, for Apollo to mask.
 */
export function toCrmFieldError(error: unknown, logger?: CrmLogger): GraphQLError | unknown {
  if (!(error instanceof HttpClientError)) return error;
  logger?.warn({ source: 'crm', ...error.toLog() }, 'CRM call failed');
  switch (error.code) {
    case 'UNAVAILABLE':
      return sourceError('crm', 'UNAVAILABLE', `CRM is unavailable: ${unavailableReason(error)}`,
        error.causeCode && GUARD_REASONS.has(error.causeCode) ? { reason: error.causeCode } : {});
    case 'RATE_LIMITED': {
      const retryAfter = error.retryAfterMs === undefined ? undefined : Math.ceil(error.retryAfterMs / 1000);
      return sourceError(
        'crm',
        'RATE_LIMITED',
        `CRM rate limit reached${retryAfter === undefined ? '' : `: retry after ${retryAfter} s`}`,
        retryAfter === undefined ? {} : { retryAfter },
      );
    }
    case 'UNAUTHENTICATED':
      return sourceError(
        'crm',
        'UNAUTHENTICATED',
        `CRM refused the subgraph's credentials (HTTP ${error.status}): check CRM_TOKEN (a HubSpot private-app token with the CRM read scopes)`,
      );
    case 'BAD_RESPONSE':
      return sourceError('crm', 'BAD_RESPONSE', `CRM answered unexpectedly${error.status ? ` (HTTP ${error.status})` : ''}`);
  }
}

/** Why a call was not made at all, told to the client as `extensions.reason`. */
const GUARD_REASONS: ReadonlySet<string> = new Set(['CIRCUIT_OPEN', 'BULKHEAD_FULL', 'DEADLINE_EXCEEDED']);

function unavailableReason(error: HttpClientError): string {
  const attempts = error.attempts > 1 ? ` after ${error.attempts} attempts` : '';
  if (error.causeCode === 'CIRCUIT_OPEN') return 'repeated failures, not retrying for a few seconds';
  if (error.causeCode === 'BULKHEAD_FULL') return 'too many CRM calls are waiting already';
  if (error.causeCode === 'DEADLINE_EXCEEDED') return `no answer within the request's deadline${attempts}`;
  if (error.status !== undefined) return `it answered HTTP ${error.status}${attempts}`;
  if (error.causeCode === 'TimeoutError' || error.causeCode?.startsWith('UND_ERR_') && error.causeCode.endsWith('TIMEOUT')) {
    return `no answer in time${attempts}`;
  }
  return `it could not be reached (${error.causeCode ?? 'connection failed'})${attempts}`;
}
