import type { DocumentNode, GraphQLError, GraphQLSchema } from 'graphql';
import type { Principal } from '../../platform/auth/principal.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';
import { applyFieldReads, planFieldReads, type FieldRead, type FieldReadSummary } from '../pii/fieldReads.js';
import { filterUnauthorizedFields, insertUnauthorizedNulls, stripInternalAliases, type AuthorizationMode, type RemovedField } from './filterFields.js';

export interface AuthorizeOperationInput {
  document: DocumentNode;
  /** The API schema the document was validated against. */
  schema: GraphQLSchema;
  rules: AuthorizationRules;
  principal: Principal;
  /** @default 'filter' */
  mode?: AuthorizationMode;
  operationName?: string | null;
  auditedScopes?: readonly string[];
}

/**
 * Everything the gateway decides about one operation for one principal, as
 * data: the document to plan, the errors to add, the fields to null, mask
 * and audit. Depends only on (document, operationName, scopes), so it can be
 * cached beside the query plan keyed by those.
 */
export interface AuthorizedOperation {
  document: DocumentNode;
  errors: GraphQLError[];
  rejected: boolean;
  removed: RemovedField[];
  reads: FieldRead[];
}

export function authorizeOperation(input: AuthorizeOperationInput): AuthorizedOperation {
  const filtered = filterUnauthorizedFields(input.document, input.schema, input.rules, input.principal, input.mode ?? 'filter', input.operationName);
  if (filtered.rejected) return { ...filtered, reads: [] };
  const plan = planFieldReads(filtered.document, input.schema, input.rules, input.principal, { operationName: input.operationName, auditedScopes: input.auditedScopes });
  return { document: plan.document, errors: filtered.errors, rejected: false, removed: filtered.removed, reads: plan.reads };
}

type Json = Record<string, unknown>;

/**
 * Shapes the executed answer for the client: masks PII, puts nulls where
 * fields were removed (with null propagation), removes internal aliases and
 * prepends the authorization errors. Returns what the audit log needs.
 */
export function shapeAuthorizedResult<T extends { data?: Json | null; errors?: readonly unknown[] }>(
  result: T,
  operation: AuthorizedOperation,
): { result: T; reads: FieldReadSummary } {
  const reads = applyFieldReads(result.data, operation.reads);
  const data = result.data === undefined ? undefined : insertUnauthorizedNulls(result.data, operation.removed);
  if (data && (operation.removed.length || operation.reads.length)) stripInternalAliases(data);
  const errors = [...operation.errors.map((e) => e.toJSON()), ...(result.errors ?? [])];
  return { result: { ...result, data, ...(errors.length ? { errors } : {}) }, reads };
}
