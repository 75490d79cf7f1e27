import type { DocumentNode, GraphQLSchema } from 'graphql';
import type { GatewayContext, GatewayPlugin } from '../plugins.js';
import { ANONYMOUS } from '../../platform/auth/principal.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';
import { answerIntrospection, introspectionOnlyDocument } from './introspectionExecution.js';
import { VisibleSchemas } from './introspectionSchema.js';
import { suggestionsLeak } from './introspectionSuggestions.js';

export interface IntrospectionPluginOptions {
  /** The rule table of the supergraph this API schema was built from. */
  rulesOf(schema: GraphQLSchema): AuthorizationRules;
}

/**
 * Introspection shows each caller what their rules let them read (ADR 0003),
 * in production and outside it alike; whether they may introspect at all is
 * the explore plugin's decision, which runs before this one.
 *
 * - `__schema` / `__type`: @apollo/gateway answers introspection locally
 *   against the whole API schema and takes no other schema, so after
 *   execution the introspection part of the operation is answered again
 *   against the caller's visible schema (`visibleSchema`, cached per scope
 *   set) and written over the gateway's. Data fields in the same operation
 *   are untouched; `__typename` is not introspection.
 * - "Did you mean …?": kept only when no suggestion the document can produce
 *   names something the caller cannot see; otherwise this operation's
 *   suggestions are stripped (all of them: the formatter's switch is per
 *   operation).
 *
 * Must come before the authorization plugin (its answer then gets the
 * authorization nulls as usual).
 */
export function introspectionPlugin(options: IntrospectionPluginOptions): GatewayPlugin {
  const views = new VisibleSchemas();
  /** Per document × operation name: its introspection part, or null. */
  const introspections = new WeakMap<DocumentNode, Map<string, DocumentNode | null>>();
  /** Per visible schema × document: whether its suggestions could leak. */
  const leaks = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, boolean>>();
  /** The request's suggestion switch as the explore plugin set it, before any operation of a batch changed it. */
  const explore = new WeakMap<GatewayContext, boolean>();

  function introspectionOf(document: DocumentNode, operationName: string | null): DocumentNode | null {
    let byName = introspections.get(document);
    if (!byName) introspections.set(document, (byName = new Map()));
    const key = operationName ?? '';
    let introspection = byName.get(key);
    if (introspection === undefined) byName.set(key, (introspection = introspectionOnlyDocument(document, operationName) ?? null));
    return introspection;
  }

  return {
    name: 'introspection',
    onDocument(operation, context) {
      let allowed = explore.get(context);
      if (allowed === undefined) explore.set(context, (allowed = context.suggestions));
      if (!allowed) return;
      const visible = views.get(operation.schema, options.rulesOf(operation.schema), context.state.principal ?? ANONYMOUS);
      let byDocument = leaks.get(visible);
      if (!byDocument) leaks.set(visible, (byDocument = new WeakMap()));
      let leak = byDocument.get(operation.document);
      if (leak === undefined) byDocument.set(operation.document, (leak = suggestionsLeak(operation.document, operation.schema, visible)));
      context.suggestions = !leak;
    },
    onResponse(result, operation, context) {
      if (!result.data) return;
      const introspection = introspectionOf(operation.document, operation.operationName);
      if (!introspection) return;
      const visible = views.get(operation.schema, options.rulesOf(operation.schema), context.state.principal ?? ANONYMOUS);
      if (visible === operation.schema) return; // nothing hidden: the gateway's answer is the caller's
      result.errors.push(...answerIntrospection(result.data, introspection, visible, operation.variables));
    },
  };
}
