import { GraphQLError } from 'graphql';
import { MdmError, type MdmErrorCode } from '../../mdm/index.js';
import { isDataException, sourceError } from '../../platform/index.js';
import type { ErrorRegistry } from '../../platform/errors/registry.js';

/**
 * The codes the MDM subgraph answers with, beside the kit's MDM_UNAVAILABLE
 * and the auth codes (UNAUTHENTICATED, UNAUTHORIZED_FIELD_OR_TYPE). Clients
 * branch on these; the engine's own code travels in `extensions.mdmCode`.
 */
export const MDM_GRAPH_ERRORS = {
  BAD_USER_INPUT: { status: 200, description: 'An argument is missing, malformed or out of range; fix the request.' },
  NOT_FOUND: { status: 200, description: 'The golden record, source record, match candidate or history event does not exist.' },
  IDEMPOTENCY_KEY_REUSED: { status: 200, description: 'The idempotency key was first used with a different request (another operation, arguments or reason); a retry must repeat the first request exactly, a new request needs a new key.' },
  CONFLICT: { status: 200, description: 'The change conflicts with the current state (already decided, merged away, undone, or changed since); reload and decide again.' },
  MDM_UNAVAILABLE: { status: 200, description: 'The MDM store could not be reached or failed; retry later (with the same idempotency key for mutations).' },
} as const satisfies ErrorRegistry;

export type MdmGraphErrorCode = keyof typeof MDM_GRAPH_ERRORS;

/** How each engine code reaches the graph. */
const graphCodeOf: Record<MdmErrorCode, MdmGraphErrorCode> = {
  MDM_NOT_FOUND: 'NOT_FOUND',
  MDM_CONFLICT: 'CONFLICT',
  MDM_INVALID_ARGUMENT: 'BAD_USER_INPUT',
  MDM_UNKNOWN_ENTITY_TYPE: 'BAD_USER_INPUT',
  MDM_INPUT_INVALID: 'BAD_USER_INPUT',
  MDM_SOURCE_UNAVAILABLE: 'MDM_UNAVAILABLE',
  MDM_IDEMPOTENCY_KEY_REUSED: 'IDEMPOTENCY_KEY_REUSED',
};

export function badUserInput(message: string, argumentName?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT', ...(argumentName ? { argumentName } : {}) } });
}

/**
 * Translates what an engine call threw into the graph's error: an MdmError
 * keeps its message and gets a stable graph code; a database failure (a
 * SQLSTATE or a socket error) becomes MDM_UNAVAILABLE tagged with the
 * operation, except a data exception (SQLSTATE class 22), which a value the
 * caller sent caused: BAD_USER_INPUT; anything else (a bug) is rethrown as is.
 */
export function toGraphError(error: unknown, operation: string): unknown {
  if (error instanceof GraphQLError) return error;
  if (isDataException(error)) {
    return new GraphQLError(`the MDM store refused a value of the request (${operation}): ${(error as Error).message}`, {
      extensions: { code: 'BAD_USER_INPUT', operation, reason: (error as { code: string }).code },
    });
  }
  if (error instanceof MdmError) {
    return new GraphQLError(error.message, {
      extensions: { code: graphCodeOf[error.code] ?? 'BAD_USER_INPUT', mdmCode: error.code, operation, ...error.details },
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || /^E[A-Z]+$/.test(code))) {
    const failure = sourceError('mdm', 'UNAVAILABLE', `the MDM store failed (${operation})`, { operation, reason: code });
    failure.cause = error;
    return failure;
  }
  return error;
}

/** Runs one engine call, translating its failure with {@link toGraphError}. */
export async function callEngine<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGraphError(error, operation);
  }
}
