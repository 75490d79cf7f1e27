export { DEFAULT_ALGORITHMS, createTokenVerifier, toAuthError, type TokenVerifier, type TokenVerifierOptions } from './tokenVerifier.js';
export {
  DEFAULT_DEMO_AUDIENCE,
  DEFAULT_DEMO_ISSUER,
  DEFAULT_DEMO_KEY_FILE,
  issueDemoToken,
  loadDemoIssuer,
  rotateDemoIssuerKeys,
  scopesOfDemoUser,
  type DemoIssuer,
  type DemoIssuerOptions,
  type DemoTokenRequest,
} from './demoIssuer.js';
export { registerTokenCommand } from './tokenCommand.js';
export { createAuthenticator, readAuthConfig, type AuthConfig } from './authConfig.js';
export { AuthError, AUTH_ERRORS, type AuthErrorCode } from '../../platform/auth/errors.js';
export { ANONYMOUS, type Principal } from '../../platform/auth/principal.js';
