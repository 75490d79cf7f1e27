import { GraphQLError } from 'graphql';
import { GatewayHttpError } from '../errors.js';
import type { GatewayPlugin } from '../plugins.js';
import { assertNoVariablesInGetUrl, preventCsrf } from './csrf.js';

function rethrow(error: unknown): never {
  if (error instanceof GraphQLError) throw GatewayHttpError.fromGraphQLError(error);
  throw error;
}

/**
 * CSRF prevention before the body is read (Apollo's preventCsrf: a GET or a
 * simple-content-type POST runs only with a preflight-forcing header), and no
 * variables in a GET URL (they may hold personal data; URLs are logged).
 * Mutations over GET are refused by the HTTP handler itself (405).
 */
export function csrfPlugin(): GatewayPlugin {
  return {
    name: 'csrf',
    onRequest(context) {
      try {
        preventCsrf(context.headers);
      } catch (error) {
        rethrow(error);
      }
    },
    onDocument(operation, context) {
      try {
        assertNoVariablesInGetUrl(context.method, operation.variables);
      } catch (error) {
        rethrow(error);
      }
    },
  };
}
