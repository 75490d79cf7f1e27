import type { ErrorRegistry } from '../../platform/errors/registry.js';

/**
 * The registry's error codes, one registry for the service, the client and the
 * CLI. Every HTTP error body is `{ error: { code, message } }` with one of
 * these codes, and the status below; the client turns a body back into a
 * RegistryError with the same code, so a CI log shows the server's words.
 */
export const REGISTRY_ERRORS = {
  UNAUTHENTICATED: { status: 401, description: 'No token, or a token the registry does not know (or that was revoked).' },
  FORBIDDEN: { status: 403, description: "The token is valid but may not do this: a team token publishing another team's subgraph, a read token publishing, a non-admin rolling back." },
  BAD_REQUEST: { status: 400, description: 'The request body or query is malformed; the message names the field.' },
  NOT_FOUND: { status: 404, description: 'No such route, subgraph, or supergraph version; or no supergraph has been published yet.' },
  CONFLICT: { status: 409, description: 'Another publish or rollback changed the current supergraph while this one was being checked, repeatedly; retry.' },
  INVALID_SDL: { status: 400, description: 'The subgraph SDL does not parse as GraphQL.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is larger than the registry accepts.' },
  REGISTRY_UNAVAILABLE: { status: 503, description: 'The client could not reach the registry (connection refused, timeout, 5xx).' },
  INTERNAL: { status: 500, description: 'An unexpected failure inside the registry; the log has the cause.' },
} as const satisfies ErrorRegistry;

export type RegistryErrorCode = keyof typeof REGISTRY_ERRORS;

export class RegistryError extends Error {
  readonly status: number;
  constructor(readonly code: RegistryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RegistryError';
    this.status = REGISTRY_ERRORS[code].status;
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}
