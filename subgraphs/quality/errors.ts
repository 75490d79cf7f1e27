import { GraphQLError } from 'graphql';
import { ReconError } from '../../reconcile/index.js';
import { sourceError } from '../../platform/index.js';

/**
 * How the quality subgraph answers errors: a reconciliation error keeps its
 * registry code as `extensions.code` (RECON_VERSION_CONFLICT, …) with its HTTP
 * status, so a client branches on exactly what happened; a database failure
 * becomes the kit's QUALITY_UNAVAILABLE tagged with the operation.
 */
export function toGraphError(error: unknown, operation: string): unknown {
  if (error instanceof GraphQLError) return error;
  if (error instanceof ReconError) {
    return new GraphQLError(error.message, {
      extensions: { code: error.code, operation, ...error.details },
    });
  }
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (/^[0-9A-Z]{5}$/.test(code) || /^E[A-Z]+$/.test(code))) {
    const failure = sourceError('quality', 'UNAVAILABLE', `the reconciliation store failed (${operation})`, { operation, reason: code });
    failure.cause = error;
    return failure;
  }
  return error;
}

export async function callReconcile<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toGraphError(error, operation);
  }
}

export function badInput(message: string, argumentName: string): ReconError {
  return new ReconError('RECON_INVALID_ARGUMENT', message, { argumentName });
}
