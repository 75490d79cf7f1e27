export { AUTH_ERRORS, AuthError, UNAUTHORIZED_FIELD_OR_TYPE, unauthorizedFieldError, type AuthErrorCode } from './errors.js';
export { ANONYMOUS, hasScope, scopesFromClaims, subjectOf, userPrincipal, type AnonymousPrincipal, type Principal, type UserPrincipal } from './principal.js';
export { PII_MASKS, maskEmail, maskName, maskPhone, maskTaxId, maskValue, redact, type PiiMask } from './masks.js';
export {
  NO_REQUIREMENT,
  PII_READ_SCOPE,
  combineRequirements,
  emptyRules,
  fieldRequirement,
  isRestricted,
  satisfies,
  scopesMentioned,
  type AuthorizationRules,
  type Requirement,
} from './requirements.js';
export { PII_SPEC_URL, readAuthorizationRules, resolveDirectiveNames } from './directives.js';
export {
  DEFAULT_PROOF_TTL_SEC,
  authenticateSubgraphRequest,
  GATEWAY_PROOF_HEADER,
  generateGatewayProofSecret,
  loadGatewayProofKey,
  readGatewayProofSettings,
  resolveGatewayProofKey,
  isGatewayProofKey,
  type GatewayProofSettings,
  signGatewayProof,
  signProofFor,
  verifyGatewayProof,
  type GatewayProofClaims,
  type GatewayProofKey,
} from './gatewayProof.js';
export { buildShieldFromSdl, defaultGetPrincipal, shieldRulesFromAuthorizationRules, type SubgraphAuthOptions } from './shield.js';
export { guardReferenceResolvers } from './referenceGuard.js';
export { buildPiiMiddleware } from './piiMiddleware.js';
export { buildGuardedSubgraphSchema } from './guardedSchema.js';
