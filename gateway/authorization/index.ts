export { extractAuthorizationRules, stripAuthorizationDirectives } from './supergraphRules.js';
export {
  filterUnauthorizedFields,
  insertUnauthorizedNulls,
  mergeAuthorizationResult,
  stripInternalAliases,
  type AuthorizationMode,
  type FilteredOperation,
  type RemovedField,
} from './filterFields.js';
export { authorizeOperation, shapeAuthorizedResult, type AuthorizeOperationInput, type AuthorizedOperation } from './authorizeOperation.js';
export { EXPLORE_SCOPE, checkIntrospectionAllowed, isIntrospection, mayExplore, stripSuggestions } from './explore.js';
export { VisibleSchemas, visibilityKey, visibleSchema } from './introspectionSchema.js';
export { answerIntrospection, introspectionOnlyDocument } from './introspectionExecution.js';
export { suggestionIsVisible, suggestionsLeak } from './introspectionSuggestions.js';
export { introspectionPlugin, type IntrospectionPluginOptions } from './introspectionPlugin.js';
export { ID_ALIAS, TYPENAME_ALIAS, pathPattern, walkOperationFields, type PathSegment } from '../operation/operationWalk.js';
export {
  DEMO_USERS,
  PROFILES,
  PROTECTED_FIELDS,
  SCOPES,
  accessOf,
  compareMatrixWithRules,
  expectedMatrix,
  principalOfProfile,
  renderScopeMatrixMarkdown,
  rulesOfMatrix,
  type Access,
  type ProfileName,
  type ProtectedField,
  type Scope,
} from './scopeMatrix.js';
export { UNAUTHORIZED_FIELD_OR_TYPE } from '../../platform/auth/errors.js';
export type { AuthorizationRules, Requirement } from '../../platform/auth/requirements.js';
