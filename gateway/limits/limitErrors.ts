import { GraphQLError } from 'graphql';
import type { ErrorRegistry } from '../../platform/errors/registry.js';

/** One registry of limit codes (code, HTTP status, description). */
export const LIMIT_ERRORS = {
  MAX_DEPTH_EXCEEDED: { status: 400, description: 'The operation nests fields deeper than maxDepth.' },
  MAX_ALIASES_EXCEEDED: { status: 400, description: 'The operation uses more aliases than maxAliases (__typename aliases count).' },
  MAX_ROOT_FIELDS_EXCEEDED: { status: 400, description: 'The operation selects more root fields than maxRootFields.' },
  MAX_TOKENS_EXCEEDED: { status: 400, description: 'The document has more lexical tokens than maxTokens.' },
  MAX_DIRECTIVES_EXCEEDED: { status: 400, description: 'The operation uses more directives than maxDirectives.' },
  MAX_COST_EXCEEDED: { status: 400, description: 'The estimated cost (fields × list sizes from first/last) exceeds maxCost.' },
  BODY_TOO_LARGE: { status: 413, description: 'The HTTP request body is larger than maxBodyBytes.' },
  BATCHING_DISABLED: { status: 400, description: 'The request body is a JSON array but batching is off.' },
  MAX_BATCH_SIZE_EXCEEDED: { status: 400, description: 'The batch holds more operations than maxBatchSize.' },
} as const satisfies ErrorRegistry;

export type LimitErrorCode = keyof typeof LIMIT_ERRORS;

/** The refusal of an operation over a limit, answered with the registry's HTTP status. */
export function limitError(code: LimitErrorCode, message: string, details: { limit: number; actual: number }): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, limit: details.limit, actual: details.actual, http: { status: LIMIT_ERRORS[code].status } },
  });
}
