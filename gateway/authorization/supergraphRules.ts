import { Kind, parse, print, visit, type DocumentNode } from 'graphql';
import { readAuthorizationRules, resolveDirectiveNames } from '../../platform/auth/directives.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';

const SECURITY_SPECS = ['https://specs.apollo.dev/authenticated/', 'https://specs.apollo.dev/requiresScopes/'];
const POLICY_SPEC = 'https://specs.apollo.dev/policy/';

function linkUrl(directive: { name: { value: string }; arguments?: readonly { name: { value: string }; value: { kind: Kind } }[] }): string | undefined {
  if (directive.name.value !== 'link') return undefined;
  const url = directive.arguments?.find((arg) => arg.name.value === 'url')?.value as { kind: Kind; value?: string } | undefined;
  return url?.kind === Kind.STRING ? url.value : undefined;
}

/**
 * Reads Concord's rule table from the composed supergraph: `@authenticated`
 * and `@requiresScopes` (already ANDed across subgraphs by composition) and
 * the composed `@pii` masks. `@policy` is refused rather than ignored: a
 * directive we do not enforce must not look enforced.
 */
export function extractAuthorizationRules(supergraphSdl: string | DocumentNode): AuthorizationRules {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (linkUrl(directive)?.startsWith(POLICY_SPEC)) throw new Error('supergraph uses @policy, which Concord does not enforce: declare access with @requiresScopes');
    }
  }
  return readAuthorizationRules(document);
}

/**
 * The supergraph handed to @apollo/gateway: the same graph without the
 * authorization features, which the gateway refuses to execute ("feature
 * https://specs.apollo.dev/authenticated/v0.1 is for: SECURITY but is
 * unsupported"). Removes their @link, their directive definitions, their
 * `requiresScopes__Scope` scalar and every usage. `@pii` stays: its @link has
 * no `for:` and the gateway ignores it.
 */
export function stripAuthorizationDirectives(supergraphSdl: string | DocumentNode): string {
  const document = typeof supergraphSdl === 'string' ? parse(supergraphSdl) : supergraphSdl;
  const names = resolveDirectiveNames(document);
  const directiveNames = new Set([...names.authenticated, ...names.requiresScopes]);
  const stripped = visit(document, {
    Directive(node) {
      const url = linkUrl(node);
      if (url && SECURITY_SPECS.some((spec) => url.startsWith(spec))) return null;
      if (directiveNames.has(node.name.value)) return null;
      return undefined;
    },
    DirectiveDefinition(node) {
      return directiveNames.has(node.name.value) ? null : undefined;
    },
    ScalarTypeDefinition(node) {
      return /^(requiresScopes|authenticated)__/.test(node.name.value) ? null : undefined;
    },
  });
  return print(stripped);
}
