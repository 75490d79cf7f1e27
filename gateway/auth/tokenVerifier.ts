import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { AuthError } from '../../platform/auth/errors.js';
import { ANONYMOUS, scopesFromClaims, userPrincipal, type Principal } from '../../platform/auth/principal.js';

/** Asymmetric algorithms only: the gateway never holds a secret shared with an issuer. */
export const DEFAULT_ALGORITHMS = ['RS256', 'ES256', 'EdDSA'] as const;

export interface TokenVerifierOptions {
  issuer: string;
  audience: string | string[];
  /** The issuer's JWKS endpoint (production). One of jwksUrl / jwks is required. */
  jwksUrl?: string;
  /** A local JWKS (demo issuer, tests). */
  jwks?: JSONWebKeySet;
  /** @default ['RS256', 'ES256', 'EdDSA'] — `none` and HS* are refused at construction. */
  algorithms?: string[];
  /** Clock skew tolerated on exp/nbf. @default 30 */
  clockToleranceSec?: number;
  /**
   * Minimum time between two JWKS fetches triggered by an unknown kid: a
   * flood of tokens with random kids costs the issuer one fetch per period.
   * @default 30000 (jose's own default)
   */
  jwksCooldownMs?: number;
  /** Keys are refetched after this age even when every kid is known (rotation without a new kid). @default 600000 */
  jwksCacheMaxAgeMs?: number;
  /** @default 5000 */
  jwksTimeoutMs?: number;
}

export interface TokenVerifier {
  /**
   * Authenticates one request from its Authorization header. No header is
   * anonymous (public fields only); anything else that is not a valid token
   * throws AuthError (HTTP 401 with `code` and a `reason` safe to show).
   */
  verify(authorizationHeader?: string | null): Promise<Principal>;
}

function validateAlgorithms(algorithms: readonly string[]): string[] {
  if (!algorithms.length) throw new Error('token verifier: algorithms must list at least one algorithm');
  for (const alg of algorithms) {
    if (alg.toLowerCase() === 'none') throw new Error('token verifier: algorithm "none" is never accepted');
    if (/^HS/i.test(alg)) throw new Error(`token verifier: ${alg} is refused, the issuer's keys are asymmetric (an HS token signed with the public key would pass)`);
  }
  return [...algorithms];
}

export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const algorithms = validateAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS);
  let keys: JWTVerifyGetKey;
  if (options.jwks) keys = createLocalJWKSet(options.jwks);
  else if (options.jwksUrl) {
    keys = createRemoteJWKSet(new URL(options.jwksUrl), {
      cooldownDuration: options.jwksCooldownMs ?? 30_000,
      cacheMaxAge: options.jwksCacheMaxAgeMs ?? 600_000,
      timeoutDuration: options.jwksTimeoutMs ?? 5_000,
    });
  } else throw new Error('token verifier: give jwksUrl or jwks');
  const clockTolerance = options.clockToleranceSec ?? 30;

  return {
    async verify(authorizationHeader) {
      if (authorizationHeader === undefined || authorizationHeader === null || authorizationHeader === '') return ANONYMOUS;
      const match = /^Bearer +([A-Za-z0-9_\-.=]+)\s*$/i.exec(authorizationHeader);
      if (!match) throw new AuthError('INVALID_AUTHORIZATION_HEADER', 'expected "Authorization: Bearer <token>"');
      try {
        const { payload } = await jwtVerify(match[1], keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          clockTolerance,
          requiredClaims: ['exp', 'sub'],
        });
        return userPrincipal(String(payload.sub), scopesFromClaims(payload), payload);
      } catch (error) {
        throw toAuthError(error);
      }
    },
  };
}

/** Maps jose's error classes to Concord's stable codes, with a reason a client can act on. */
export function toAuthError(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof errors.JWTExpired) return new AuthError('TOKEN_EXPIRED', 'the token has expired', { cause: error });
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return new AuthError('TOKEN_NOT_YET_VALID', 'the token is not valid yet (nbf)', { cause: error });
    if (error.claim === 'iss') return new AuthError('INVALID_ISSUER', 'the token comes from an unexpected issuer', { cause: error });
    if (error.claim === 'aud') return new AuthError('INVALID_AUDIENCE', 'the token is meant for another audience', { cause: error });
    return new AuthError('INVALID_TOKEN', `the token's "${error.claim}" claim is not valid (${error.reason})`, { cause: error });
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new AuthError('INVALID_TOKEN', 'the token is signed with an algorithm that is not allowed', { cause: error });
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AuthError('INVALID_TOKEN', 'the token signature is not valid', { cause: error });
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new AuthError('UNKNOWN_KEY', 'no key of the issuer matches the token (kid/alg)', { cause: error });
  }
  if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || (error instanceof errors.JOSEError && /JSON Web Key Set/.test(error.message)) || error instanceof TypeError) {
    return new AuthError('JWKS_UNAVAILABLE', 'the issuer keys could not be fetched; try again shortly', { cause: error });
  }
  return new AuthError('INVALID_TOKEN', 'the token is malformed', { cause: error });
}
