import { describe, expect, it } from 'vitest';
import { readAuthorizationRules } from './directives.js';
import { combineRequirements, satisfies } from './requirements.js';
import { ANONYMOUS, userPrincipal } from './principal.js';

describe('reading authorization rules from SDL', () => {
  it('reads imported, renamed and namespaced directive names', () => {
    const rules = readAuthorizationRules(`
      extend schema
        @link(url: "https://specs.apollo.dev/federation/v2.5", as: "fed", import: [{ name: "@requiresScopes", as: "@scopes" }])
        @link(url: "https://specs.concord.dev/pii/v0.1", import: ["@pii"])
      type Query { a: Int @fed__authenticated b: Int @scopes(scopes: [["x", "y"], ["z"]]) c: String @pii(mask: PHONE) }
    `);
    expect(rules.fields['Query.a']).toEqual({ authenticated: true, scopes: [] });
    expect(rules.fields['Query.b']).toEqual({ authenticated: true, scopes: [['x', 'y'], ['z']] });
    expect(rules.pii['Query.c']).toBe('PHONE');
  });

  it('adds up a type declared and extended with requirements of its own', () => {
    const rules = readAuthorizationRules(`
      type T @requiresScopes(scopes: [["a"], ["b"]]) { x: Int }
      extend type T @requiresScopes(scopes: [["c"]]) { y: Int }
    `);
    expect(rules.types.T.scopes).toEqual([['a', 'c'], ['b', 'c']]);
  });

  it('rejects an unknown mask', () => {
    expect(() => readAuthorizationRules('type Q { a: String @pii(mask: SHOUT) }')).toThrow(/Q.a: @pii\(mask: SHOUT\)/);
  });
});

describe('requirements', () => {
  const requirement = combineRequirements({ authenticated: true, scopes: [['a'], ['b']] }, { authenticated: true, scopes: [['c']] });
  it('holds for one complete AND-group', () => {
    expect(satisfies(userPrincipal('u', ['b', 'c']), requirement)).toBe(true);
  });
  it('fails for a partial group or for anonymous callers', () => {
    expect(satisfies(userPrincipal('u', ['a', 'b']), requirement)).toBe(false);
    expect(satisfies(ANONYMOUS, { authenticated: true, scopes: [] })).toBe(false);
    expect(satisfies(userPrincipal('u', []), { authenticated: true, scopes: [] })).toBe(true);
  });
});
