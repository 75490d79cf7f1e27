import { GatewayHttpError, withoutHttpExtension } from '../errors.js';
import type { GatewayPlugin } from '../plugins.js';
import { AuthError } from '../../platform/auth/errors.js';
import type { Principal } from '../../platform/auth/principal.js';
import type { TokenVerifier } from './tokenVerifier.js';

declare module '../plugins.js' {
  interface GatewayContextState {
    /** The verified caller (anonymous without an Authorization header); set by the auth plugin. */
    principal?: Principal;
  }
}

/** The 401/503 answer for a refused credential: the reason in the body and in WWW-Authenticate (RFC 6750). */
export function authErrorToHttp(error: AuthError): GatewayHttpError {
  const description = error.reason.replace(/["\\]/g, "'");
  return new GatewayHttpError('UNAUTHENTICATED', error.reason, {
    status: error.status,
    headers: error.status === 401 ? { 'www-authenticate': `Bearer realm="concord", error="invalid_token", error_description="${description}"` } : {},
    errors: [withoutHttpExtension(error.toGraphQLError())],
  });
}

/**
 * Authenticates every request before its body is read: a bearer JWT checked
 * against the issuer's JWKS (see tokenVerifier). No header = anonymous
 * (public fields only); anything else invalid = 401 with its reason.
 */
export function authPlugin(verifier: TokenVerifier): GatewayPlugin {
  return {
    name: 'auth',
    async onRequest(context) {
      try {
        const header = context.headers.authorization;
        context.state.principal = await verifier.verify(Array.isArray(header) ? header[0] : header);
      } catch (error) {
        if (error instanceof AuthError) throw authErrorToHttp(error);
        throw error;
      }
    },
  };
}
