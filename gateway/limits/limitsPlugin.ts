import { GatewayHttpError } from '../errors.js';
import type { GatewayPlugin } from '../plugins.js';
import { DEFAULT_OPERATION_LIMITS, checkOperationLimits, type OperationLimits } from './operationLimits.js';

/**
 * Abuse limits per operation, after parsing and before validation, so a
 * refused operation costs one pass over its AST and never reaches a
 * subgraph: depth, aliases (`__typename` ones too), root fields, directives
 * and estimated cost (list sizes from `first`/`last`). Tokens are limited
 * while parsing (`maxTokens`). Each refusal is 400 with its own code.
 */
export function limitsPlugin(limits: Partial<OperationLimits> = {}): GatewayPlugin {
  const config = { ...DEFAULT_OPERATION_LIMITS, ...limits };
  return {
    name: 'limits',
    maxTokens: config.maxTokens,
    onDocument(operation) {
      const { errors } = checkOperationLimits(operation.document, config, {
        schema: operation.schema,
        variables: operation.variables,
        operationName: operation.operationName,
      });
      if (!errors.length) return;
      throw GatewayHttpError.fromGraphQLError(errors[0], errors.slice(1));
    },
  };
}
