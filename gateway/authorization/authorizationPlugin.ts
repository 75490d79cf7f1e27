import type { DocumentNode, GraphQLSchema } from 'graphql';
import { GatewayHttpError } from '../errors.js';
import type { GatewayOperation, GatewayPlugin } from '../plugins.js';
import { operationHash } from '../audit/auditLog.js';
import type { AuditSink } from '../audit/auditSink.js';
import { refuseAuditedFields } from '../audit/refuseAuditedFields.js';
import { ANONYMOUS, subjectOf, type Principal } from '../../platform/auth/principal.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';
import { UNAUTHORIZED_FIELD_OR_TYPE } from '../../platform/auth/errors.js';
import { authorizeOperation, shapeAuthorizedResult, type AuthorizedOperation } from './authorizeOperation.js';
import type { AuthorizationMode } from './filterFields.js';

export interface AuthorizationPluginOptions {
  /** The rule table read from the supergraph this API schema was built from (they swap together on reload). */
  rulesOf(schema: GraphQLSchema): AuthorizationRules;
  /** @default 'filter' */
  mode?: AuthorizationMode;
  audit: AuditSink;
  /** Told where each audit record went (metrics). */
  onAudit?(stored: 'database' | 'spool' | 'log' | 'refused'): void;
}

/** The principal's part of every decision: anonymous or not, and the sorted scopes. */
function scopeKey(principal: Principal): string {
  return principal.kind === 'user' ? `u:${[...principal.scopes].sort().join(' ')}` : 'anon';
}

/** Distinct scope sets kept per document; real deployments have a handful of profiles. */
const MAX_DECISIONS_PER_DOCUMENT = 64;

/**
 * Gateway-side authorization (ADR 0003), as Apollo Router does it: before
 * planning, fields the caller may not read are removed (fetches that would
 * serve only them are never sent); after execution they come back null with
 * UNAUTHORIZED_FIELD_OR_TYPE and their path, PII is masked for callers
 * without `pii:read`, and every PII/finance read is handed to the audit log
 * (the answer leaves once its record is stored, by the request's deadline).
 * In 'reject' mode an operation touching anything unauthorized is refused
 * whole (403).
 *
 * The decision depends only on (document, operation name, scopes, rules), so
 * it is computed once per combination and kept beside the document; the plan
 * cache sees the rewritten document under `documentKey` = the scope key.
 */
export function authorizationPlugin(options: AuthorizationPluginOptions): GatewayPlugin {
  const mode = options.mode ?? 'filter';
  const decisions = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, AuthorizedOperation>>>();
  const applied = new WeakMap<GatewayOperation, AuthorizedOperation>();

  function decide(operation: GatewayOperation, principal: Principal): AuthorizedOperation {
    let bySchema = decisions.get(operation.schema);
    if (!bySchema) decisions.set(operation.schema, (bySchema = new WeakMap()));
    let byDocument = bySchema.get(operation.document);
    if (!byDocument) bySchema.set(operation.document, (byDocument = new Map()));
    const key = `${operation.operationName ?? ''}\0${scopeKey(principal)}`;
    let decision = byDocument.get(key);
    if (!decision) {
      decision = authorizeOperation({
        document: operation.document,
        schema: operation.schema,
        rules: options.rulesOf(operation.schema),
        principal,
        mode,
        operationName: operation.operationName,
      });
      if (byDocument.size >= MAX_DECISIONS_PER_DOCUMENT) byDocument.delete(byDocument.keys().next().value!);
      byDocument.set(key, decision);
    }
    return decision;
  }

  return {
    name: 'authorization',
    onOperation(operation, context) {
      const principal = context.state.principal ?? ANONYMOUS;
      const decision = decide(operation, principal);
      if (decision.rejected) {
        throw new GatewayHttpError(UNAUTHORIZED_FIELD_OR_TYPE, 'The operation reads fields the caller may not read.', { status: 403, errors: decision.errors });
      }
      if (decision.document === operation.document && !decision.errors.length && !decision.reads.length) return;
      applied.set(operation, decision);
      return decision.document === operation.document ? undefined : { document: decision.document, documentKey: `authz:${scopeKey(principal)}` };
    },
    async onResponse(result, operation, context) {
      const decision = applied.get(operation);
      if (!decision) return;
      const { result: shaped, reads } = shapeAuthorizedResult({ data: result.data }, decision);
      result.data = shaped.data;
      if (decision.errors.length) result.errors = [...decision.errors, ...result.errors];
      if (!reads.fields.length) return;
      // The answer waits for its audit record, but not past its deadline (ADR 0011): a read nobody could record in time is not answered.
      try {
        const stored = await options.audit.record({
          subject: subjectOf(context.state.principal ?? ANONYMOUS),
          operationName: operation.operationName,
          operationHash: operationHash(operation.query),
          fields: reads.fields,
          entityIds: reads.entityIds,
          masked: reads.masked,
          requestId: context.requestId,
        }, { deadline: context.deadline });
        options.onAudit?.(stored);
      } catch {
        options.onAudit?.('refused');
        const refused = refuseAuditedFields(result.data, decision.reads);
        result.errors = [...result.errors, ...refused];
      }
    },
  };
}
