import { GraphQLError } from 'graphql';

/** One registry of limit codes; the README's limits table is written from it. */
export const LIMIT_ERROR_CODES = {
  MAX_DEPTH_EXCEEDED: 'the operation nests fields deeper than maxDepth',
  MAX_ALIASES_EXCEEDED: 'the operation uses more aliases than maxAliases (__typename aliases count)',
  MAX_ROOT_FIELDS_EXCEEDED: 'the operation selects more root fields than maxRootFields',
  MAX_TOKENS_EXCEEDED: 'the document has more lexical tokens than maxTokens',
  MAX_DIRECTIVES_EXCEEDED: 'the operation uses more directives than maxDirectives',
  MAX_COST_EXCEEDED: 'the estimated cost (fields × list sizes from first/last) exceeds maxCost',
  BODY_TOO_LARGE: 'the HTTP request body is larger than maxBodyBytes',
  BATCHING_DISABLED: 'the request body is a JSON array but batching is off',
  MAX_BATCH_SIZE_EXCEEDED: 'the batch holds more operations than maxBatchSize',
} as const;

export type LimitErrorCode = keyof typeof LIMIT_ERROR_CODES;

/** HTTP status per code: 413 for a body too large, 400 for everything else. */
export function limitError(code: LimitErrorCode, message: string, details: { limit: number; actual: number }): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code, limit: details.limit, actual: details.actual, http: { status: code === 'BODY_TOO_LARGE' ? 413 : 400 } },
  });
}
