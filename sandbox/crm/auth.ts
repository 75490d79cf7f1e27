import type { IncomingMessage } from 'node:http';
import { unauthenticated } from './errors.js';

/**
 * Private-app authentication as HubSpot does it: `Authorization: Bearer
 * <token>` on every call. Returns the token (the rate limiter's key) or throws
 * HubSpot's 401.
 */
export function authenticate(request: IncomingMessage, tokens: ReadonlySet<string>): string {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match || !tokens.has(match[1])) throw unauthenticated();
  return match[1];
}
