import { GraphQLError } from 'graphql';
import type { ErrorRegistry } from '../errors/registry.js';

/**
 * Stable codes for authentication failures (HTTP 401 material). One registry,
 * shared by the gateway (bearer JWT) and the subgraphs (gateway proof), so a
 * client and an operator read the same words everywhere.
 */
export const AUTH_ERRORS = {
  INVALID_TOKEN: { status: 401, description: 'The bearer token is malformed, badly signed or uses a refused algorithm.' },
  TOKEN_EXPIRED: { status: 401, description: 'The token is past its exp (beyond the allowed clock skew).' },
  TOKEN_NOT_YET_VALID: { status: 401, description: 'The token is before its nbf (beyond the allowed clock skew).' },
  INVALID_ISSUER: { status: 401, description: 'The token was issued by another issuer than the configured one.' },
  INVALID_AUDIENCE: { status: 401, description: 'The token is meant for another audience.' },
  UNKNOWN_KEY: { status: 401, description: 'No key in the JWKS matches the token kid, even after a refetch.' },
  JWKS_UNAVAILABLE: { status: 503, description: 'The JWKS could not be fetched.' },
  INVALID_AUTHORIZATION_HEADER: { status: 401, description: 'The Authorization header is not "Bearer <token>".' },
  GATEWAY_PROOF_MISSING: { status: 401, description: 'A subgraph was called without the gateway proof header.' },
  GATEWAY_PROOF_INVALID: { status: 401, description: 'The gateway proof is expired, badly signed or malformed.' },
} as const satisfies ErrorRegistry;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/** A refused credential. `status` is 401 (503 when the issuer's keys cannot be fetched); `reason` is safe to show to the caller. */
export class AuthError extends Error {
  readonly status: 401 | 503;
  constructor(readonly code: AuthErrorCode, readonly reason: string, options?: { cause?: unknown }) {
    super(`${code}: ${reason}`, options);
    this.name = 'AuthError';
    this.status = AUTH_ERRORS[code].status;
  }

  /** The GraphQL error a server answers with (body of the 401). */
  toGraphQLError(): GraphQLError {
    return new GraphQLError(this.reason, { extensions: { code: 'UNAUTHENTICATED', reason: this.code, http: { status: this.status } } });
  }
}

/** Code of every field-level refusal, at the gateway and in subgraphs (as Apollo Router names it). */
export const UNAUTHORIZED_FIELD_OR_TYPE = 'UNAUTHORIZED_FIELD_OR_TYPE';

export function unauthorizedFieldError(coordinate: string, path?: ReadonlyArray<string | number>): GraphQLError {
  return new GraphQLError('Unauthorized field or type', {
    path,
    extensions: { code: UNAUTHORIZED_FIELD_OR_TYPE, coordinate },
  });
}
