import { readEnum } from '../../platform/config.js';
import { readGatewayProofSettings, type GatewayProofKey, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import { readAuthConfig, type AuthConfig } from '../auth/authConfig.js';
import type { AuthorizationMode } from '../authorization/filterFields.js';
import { readLimitsConfig } from '../limits/limitsConfig.js';
import type { OperationLimits } from '../limits/operationLimits.js';

/**
 * The gateway's security (ADR 0003), one object: who the callers are, what
 * they may read, how much they may ask, and how subgraphs know the request
 * came through here.
 */
export interface GatewaySecurityConfig {
  /** Bearer JWT checking: the demo issuer (keys in .concord/) or an OIDC issuer's JWKS. */
  auth: AuthConfig;
  /** Depth, aliases, root fields, tokens, directives, cost. @default DEFAULT_OPERATION_LIMITS */
  operationLimits?: Partial<OperationLimits>;
  /** 'filter' nulls unauthorized fields (Apollo Router's default); 'reject' refuses the operation. @default 'filter' */
  authorizationMode?: AuthorizationMode;
  /** Signs `x-concord-gateway-proof` on every subgraph call: a key, or settings from the environment. */
  gatewayProof: GatewayProofKey | GatewayProofSettings;
}

/**
 * | variable | default |
 * | --- | --- |
 * | AUTH_ISSUER | unset: demo issuer (keys in DEMO_ISSUER_KEY_FILE, default .concord/demo-issuer.json, JWKS at /.well-known/jwks.json) |
 * | AUTH_AUDIENCE | concord |
 * | AUTH_JWKS_URL | `${AUTH_ISSUER}/.well-known/jwks.json` |
 * | AUTH_ALGORITHMS | RS256 ES256 EdDSA (none and HS* refused) |
 * | AUTH_CLOCK_TOLERANCE_SEC | 30 |
 * | AUTH_JWKS_COOLDOWN_MS | 30000 |
 * | AUTHORIZATION_MODE | filter (or reject) |
 * | LIMIT_MAX_DEPTH, LIMIT_MAX_ALIASES, LIMIT_MAX_ROOT_FIELDS, LIMIT_MAX_TOKENS, LIMIT_MAX_DIRECTIVES, LIMIT_MAX_COST, LIMIT_DEFAULT_LIST_SIZE | 15, 30, 20, 5000, 50, 50000, 10 |
 * | CONCORD_GATEWAY_PROOF_SECRET | required (or CONCORD_GATEWAY_PROOF_PRIVATE_KEY + _PUBLIC_KEY) |
 */
export function readSecurityConfig(env: Record<string, string | undefined>): GatewaySecurityConfig {
  return {
    auth: readAuthConfig(env),
    operationLimits: readLimitsConfig(env).operation,
    authorizationMode: readEnum<AuthorizationMode>(env, 'AUTHORIZATION_MODE', ['filter', 'reject'], 'filter'),
    gatewayProof: readGatewayProofSettings(env),
  };
}
