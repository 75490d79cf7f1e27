import { ConfigError, readInt, readString, readUrl } from '../../platform/config.js';
import { DEFAULT_DEMO_AUDIENCE, DEFAULT_DEMO_ISSUER, DEFAULT_DEMO_KEY_FILE, loadDemoIssuer, type DemoIssuer } from './demoIssuer.js';
import { DEFAULT_ALGORITHMS, createTokenVerifier, type TokenVerifier } from './tokenVerifier.js';

/**
 * How the gateway authenticates callers. Without AUTH_ISSUER it runs the demo
 * issuer (keys in `.concord/`, JWKS served at /.well-known/jwks.json);
 * with it, it trusts that issuer's JWKS (any OIDC provider).
 */
export type AuthConfig =
  | { mode: 'demo'; keyFile: string; issuer: string; audience: string; clockToleranceSec: number }
  | { mode: 'oidc'; issuer: string; audience: string; jwksUrl: string; algorithms: string[]; clockToleranceSec: number; jwksCooldownMs: number };

/**
 * - AUTH_ISSUER (unset: demo mode), AUTH_AUDIENCE (default "concord"),
 *   AUTH_JWKS_URL (default `${AUTH_ISSUER}/.well-known/jwks.json`),
 *   AUTH_ALGORITHMS (default "RS256 ES256 EdDSA"), AUTH_CLOCK_TOLERANCE_SEC (default 30, max 300),
 *   AUTH_JWKS_COOLDOWN_MS (default 30000).
 * - DEMO_ISSUER_KEY_FILE (default .concord/demo-issuer.json).
 */
export function readAuthConfig(env: Record<string, string | undefined>): AuthConfig {
  const clockToleranceSec = readInt(env, 'AUTH_CLOCK_TOLERANCE_SEC', 30, { max: 300 });
  const issuer = readString(env, 'AUTH_ISSUER');
  if (issuer === undefined) {
    return {
      mode: 'demo',
      keyFile: readString(env, 'DEMO_ISSUER_KEY_FILE', DEFAULT_DEMO_KEY_FILE),
      issuer: DEFAULT_DEMO_ISSUER,
      audience: readString(env, 'AUTH_AUDIENCE', DEFAULT_DEMO_AUDIENCE),
      clockToleranceSec,
    };
  }
  const jwksUrl = readUrl(env, 'AUTH_JWKS_URL', `${issuer.replace(/\/$/, '')}/.well-known/jwks.json`)!;
  const algorithms = readString(env, 'AUTH_ALGORITHMS', DEFAULT_ALGORITHMS.join(' ')).split(/[\s,]+/).filter(Boolean);
  const refused = algorithms.find((alg) => alg.toLowerCase() === 'none' || /^HS/i.test(alg));
  if (refused) throw new ConfigError('AUTH_ALGORITHMS', 'asymmetric algorithms only (RS*, PS*, ES*, EdDSA)', refused);
  return {
    mode: 'oidc',
    issuer,
    audience: readString(env, 'AUTH_AUDIENCE', DEFAULT_DEMO_AUDIENCE),
    jwksUrl,
    algorithms,
    clockToleranceSec,
    jwksCooldownMs: readInt(env, 'AUTH_JWKS_COOLDOWN_MS', 30_000),
  };
}

/** Builds the verifier (and, in demo mode, the issuer whose JWKS handler the gateway mounts). */
export async function createAuthenticator(config: AuthConfig): Promise<{ verifier: TokenVerifier; demoIssuer?: DemoIssuer }> {
  if (config.mode === 'demo') {
    const demoIssuer = await loadDemoIssuer({ keyFile: config.keyFile, issuer: config.issuer, audience: config.audience });
    return { verifier: createTokenVerifier({ ...demoIssuer.verifierOptions(), clockToleranceSec: config.clockToleranceSec }), demoIssuer };
  }
  return {
    verifier: createTokenVerifier({
      issuer: config.issuer,
      audience: config.audience,
      jwksUrl: config.jwksUrl,
      algorithms: config.algorithms,
      clockToleranceSec: config.clockToleranceSec,
      jwksCooldownMs: config.jwksCooldownMs,
    }),
  };
}
