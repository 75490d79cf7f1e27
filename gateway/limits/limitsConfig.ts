import { readBool, readInt } from '../../platform/config.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './httpLimits.js';
import { DEFAULT_OPERATION_LIMITS, type OperationLimits } from './operationLimits.js';

/**
 * LIMIT_MAX_DEPTH, LIMIT_MAX_ALIASES, LIMIT_MAX_ROOT_FIELDS, LIMIT_MAX_TOKENS,
 * LIMIT_MAX_DIRECTIVES, LIMIT_MAX_COST, LIMIT_DEFAULT_LIST_SIZE,
 * LIMIT_MAX_BODY_BYTES, BATCHING_ENABLED, LIMIT_MAX_BATCH_SIZE — defaults in
 * DEFAULT_OPERATION_LIMITS / DEFAULT_HTTP_LIMITS.
 */
export function readLimitsConfig(env: Record<string, string | undefined>): { operation: OperationLimits; http: HttpLimits } {
  const d = DEFAULT_OPERATION_LIMITS;
  return {
    operation: {
      maxDepth: readInt(env, 'LIMIT_MAX_DEPTH', d.maxDepth, { min: 1 }),
      maxAliases: readInt(env, 'LIMIT_MAX_ALIASES', d.maxAliases),
      maxRootFields: readInt(env, 'LIMIT_MAX_ROOT_FIELDS', d.maxRootFields, { min: 1 }),
      maxTokens: readInt(env, 'LIMIT_MAX_TOKENS', d.maxTokens, { min: 10 }),
      maxDirectives: readInt(env, 'LIMIT_MAX_DIRECTIVES', d.maxDirectives),
      maxCost: readInt(env, 'LIMIT_MAX_COST', d.maxCost, { min: 1 }),
      defaultListSize: readInt(env, 'LIMIT_DEFAULT_LIST_SIZE', d.defaultListSize, { min: 1 }),
    },
    http: {
      maxBodyBytes: readInt(env, 'LIMIT_MAX_BODY_BYTES', DEFAULT_HTTP_LIMITS.maxBodyBytes, { min: 1024 }),
      batching: readBool(env, 'BATCHING_ENABLED', DEFAULT_HTTP_LIMITS.batching),
      maxBatchSize: readInt(env, 'LIMIT_MAX_BATCH_SIZE', DEFAULT_HTTP_LIMITS.maxBatchSize, { min: 1 }),
    },
  };
}
