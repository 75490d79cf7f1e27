import type { Principal } from './principal.js';
import type { PiiMask } from './masks.js';

/**
 * What reading one field or type takes, as declared by `@authenticated` and
 * `@requiresScopes(scopes: [[...]])`. `scopes` is in disjunctive normal form,
 * as the directive is: the outer list is OR, each inner list is AND. An empty
 * `scopes` means no scope is needed.
 */
export interface Requirement {
  authenticated: boolean;
  scopes: string[][];
}

/**
 * The rule table: plain data read from an SDL (a subgraph's or the composed
 * supergraph's), keyed by schema coordinate (`Type` and `Type.field`).
 * Nothing else is a source of truth for who may read what.
 */
export interface AuthorizationRules {
  types: Record<string, Requirement>;
  fields: Record<string, Requirement>;
  /** `Type.field` → how to mask it for callers without `pii:read`. */
  pii: Record<string, PiiMask>;
}

export const PII_READ_SCOPE = 'pii:read';

export const NO_REQUIREMENT: Requirement = Object.freeze({ authenticated: false, scopes: [] }) as Requirement;

export function emptyRules(): AuthorizationRules {
  return { types: {}, fields: {}, pii: {} };
}

/**
 * Both requirements must hold (AND). `@requiresScopes` declared in several
 * subgraphs adds up this way: (a OR b) AND c = (a AND c) OR (b AND c),
 * which is also what composition writes into the supergraph.
 */
export function combineRequirements(a: Requirement | undefined, b: Requirement | undefined): Requirement {
  if (!a) return b ?? NO_REQUIREMENT;
  if (!b) return a;
  let scopes: string[][];
  if (!a.scopes.length) scopes = b.scopes;
  else if (!b.scopes.length) scopes = a.scopes;
  else {
    const seen = new Set<string>();
    scopes = [];
    for (const left of a.scopes) {
      for (const right of b.scopes) {
        const conjunction = [...new Set([...left, ...right])].sort();
        const key = conjunction.join(' ');
        if (!seen.has(key)) {
          seen.add(key);
          scopes.push(conjunction);
        }
      }
    }
  }
  return { authenticated: a.authenticated || b.authenticated, scopes };
}

export function isRestricted(requirement: Requirement): boolean {
  return requirement.authenticated || requirement.scopes.length > 0;
}

/** Whether the principal meets the requirement: signed in if asked, and one AND-group of scopes fully held. */
export function satisfies(principal: Principal, requirement: Requirement): boolean {
  if (!isRestricted(requirement)) return true;
  if (principal.kind !== 'user') return false;
  if (!requirement.scopes.length) return true;
  const held = new Set(principal.scopes);
  return requirement.scopes.some((conjunction) => conjunction.every((scope) => held.has(scope)));
}

/**
 * The requirement to read `parentType.field` returning `returnType`: the
 * field's own, its parent type's and its return type's (as the Router does
 * for type-level directives: a field returning a protected type is protected).
 * Applying the parent type's too keeps `... on Secret { x }` and `_entities`
 * representations of a protected type closed.
 */
export function fieldRequirement(rules: AuthorizationRules, parentType: string, field: string, returnType: string): Requirement {
  return combineRequirements(
    combineRequirements(rules.types[parentType], rules.fields[`${parentType}.${field}`]),
    rules.types[returnType],
  );
}

/** Every scope any rule mentions (for documentation and the matrix test). */
export function scopesMentioned(rules: AuthorizationRules): string[] {
  const all = new Set<string>();
  for (const requirement of [...Object.values(rules.types), ...Object.values(rules.fields)]) {
    for (const conjunction of requirement.scopes) for (const scope of conjunction) all.add(scope);
  }
  return [...all].sort();
}
