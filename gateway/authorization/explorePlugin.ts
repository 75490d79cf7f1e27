import { GatewayHttpError } from '../errors.js';
import type { GatewayPlugin } from '../plugins.js';
import { ANONYMOUS } from '../../platform/auth/principal.js';
import { checkIntrospectionAllowed, mayExplore } from './explore.js';

/**
 * In production, introspection and "Did you mean …?" suggestions are for
 * callers with the `explore` scope (analysts, admins); others get
 * INTROSPECTION_DISABLED (403) and bare validation messages. Outside
 * production both stay open. Runs after the auth plugin.
 */
export function explorePlugin(production: boolean): GatewayPlugin {
  return {
    name: 'explore',
    onRequest(context) {
      context.suggestions = mayExplore(context.state.principal ?? ANONYMOUS, production);
    },
    onDocument(operation, context) {
      const refused = checkIntrospectionAllowed(operation.document, context.state.principal ?? ANONYMOUS, production);
      if (refused) throw GatewayHttpError.fromGraphQLError(refused);
    },
  };
}
