import {
  Kind, isTypeDefinitionNode, isTypeExtensionNode, parse,
  type ConstDirectiveNode, type DefinitionNode, type DocumentNode, type TypeDefinitionNode, type TypeExtensionNode, type ValueNode,
} from 'graphql';

/** A field or type that lost (or changed) its authorization directive. */
export interface SecurityFinding {
  kind: 'AUTHENTICATED_REMOVED' | 'REQUIRES_SCOPES_REMOVED' | 'REQUIRES_SCOPES_CHANGED' | 'POLICY_REMOVED' | 'POLICY_CHANGED';
  /** `Type` or `Type.field`. */
  coordinate: string;
  before: string;
  after: string;
  message: string;
}

interface Requirement {
  authenticated: boolean;
  scopes?: string;
  policy?: string;
}

/**
 * Compares the authorization directives (@authenticated, @requiresScopes,
 * @policy) of two supergraphs, type by type and field by field. Works on the
 * supergraph because composition merges the directives of every subgraph
 * defining a field: that merged requirement is what the gateway enforces.
 * Only coordinates present in both are compared (a removed field is the
 * diff's business); any loosening or change is reported.
 */
export function compareAuthorization(beforeSupergraphSdl: string | undefined, afterSupergraphSdl: string): SecurityFinding[] {
  if (!beforeSupergraphSdl) return [];
  const before = requirementsOf(parse(beforeSupergraphSdl));
  const after = requirementsOf(parse(afterSupergraphSdl));
  const findings: SecurityFinding[] = [];
  for (const [coordinate, was] of before) {
    if (!after.has(coordinate)) continue;
    const now = after.get(coordinate) ?? { authenticated: false };
    if (was.authenticated && !now.authenticated) {
      findings.push({ kind: 'AUTHENTICATED_REMOVED', coordinate, before: '@authenticated', after: 'none',
        message: `${coordinate} lost @authenticated: anonymous callers can now reach it` });
    }
    if (was.scopes && !now.scopes) {
      findings.push({ kind: 'REQUIRES_SCOPES_REMOVED', coordinate, before: was.scopes, after: 'none',
        message: `${coordinate} lost @requiresScopes(${was.scopes}): callers without those scopes can now read it` });
    } else if (was.scopes && now.scopes && was.scopes !== now.scopes) {
      findings.push({ kind: 'REQUIRES_SCOPES_CHANGED', coordinate, before: was.scopes, after: now.scopes,
        message: `${coordinate} changed @requiresScopes from ${was.scopes} to ${now.scopes}` });
    }
    if (was.policy && !now.policy) {
      findings.push({ kind: 'POLICY_REMOVED', coordinate, before: was.policy, after: 'none',
        message: `${coordinate} lost @policy(${was.policy})` });
    } else if (was.policy && now.policy && was.policy !== now.policy) {
      findings.push({ kind: 'POLICY_CHANGED', coordinate, before: was.policy, after: now.policy,
        message: `${coordinate} changed @policy from ${was.policy} to ${now.policy}` });
    }
  }
  return findings;
}

function requirementsOf(document: DocumentNode): Map<string, Requirement> {
  const map = new Map<string, Requirement>();
  for (const definition of document.definitions) {
    if (!isTypeSystemDefinition(definition)) continue;
    const typeName = definition.name.value;
    map.set(typeName, requirementOf(definition.directives));
    if ('fields' in definition && definition.fields) {
      for (const field of definition.fields) map.set(`${typeName}.${field.name.value}`, requirementOf(field.directives));
    }
  }
  return map;
}

function isTypeSystemDefinition(definition: DefinitionNode): definition is TypeDefinitionNode | TypeExtensionNode {
  return isTypeDefinitionNode(definition) || isTypeExtensionNode(definition);
}

function requirementOf(directives: readonly ConstDirectiveNode[] | undefined): Requirement {
  const requirement: Requirement = { authenticated: false };
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (name === 'authenticated') requirement.authenticated = true;
    if (name === 'requiresScopes') requirement.scopes = argumentText(directive, 'scopes');
    if (name === 'policy') requirement.policy = argumentText(directive, 'policies');
  }
  return requirement;
}

/** Renders a `[["a","b"],["c"]]` argument canonically (sorted) so reordering is not a change. */
function argumentText(directive: ConstDirectiveNode, argument: string): string {
  const value = directive.arguments?.find((a) => a.name.value === argument)?.value;
  const sets = value ? toNested(value) : [];
  return JSON.stringify(sets.map((set) => [...set].sort()).sort());
}

function toNested(value: ValueNode): string[][] {
  if (value.kind !== Kind.LIST) return [];
  return value.values.map((inner) =>
    inner.kind === Kind.LIST ? inner.values.map((v) => ('value' in v ? String(v.value) : '')) : ['value' in inner ? String(inner.value) : ''],
  );
}
