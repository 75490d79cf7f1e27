import type { IncomingMessage } from 'node:http';
import { ANONYMOUS, type Principal } from '../../platform/auth/index.js';

/**
 * Who is calling the MDM subgraph, as the request context starts out. The
 * steward operations write the principal's subject into the history as the
 * actor and refuse callers without the `mdm:steward` scope.
 *
 * The caller is known only from the gateway's signed proof: the kit's
 * subgraph server verifies `x-concord-gateway-proof` before GraphQL runs and
 * replaces this `principal` in the context with the one the proof carries
 * (ADR 0003). Nothing else in a request is believed — an unsigned header
 * naming a subject could be sent by anyone who reaches the port — so a
 * context built without a verified proof is anonymous, and steward
 * operations refuse it.
 */
export function principalFromRequest(_req: Pick<IncomingMessage, 'headers'>): Principal {
  return ANONYMOUS;
}
