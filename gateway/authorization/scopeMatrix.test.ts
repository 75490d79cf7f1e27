import { describe, expect, it } from 'vitest';
import { readAuthorizationRules } from '../../platform/auth/directives.js';
import { PROFILES, PROTECTED_FIELDS, SCOPES, compareMatrixWithRules, expectedMatrix, renderScopeMatrixMarkdown, rulesOfMatrix } from './scopeMatrix.js';

describe('the scope matrix', () => {
  const matrix = expectedMatrix();

  it('gives the analyst everything with PII masked, but no steward or audit powers', () => {
    expect(matrix.analyst['Customer.primaryEmail']).toBe('masked');
    expect(matrix.analyst['Contact.phone']).toBe('masked');
    expect(matrix.analyst['Customer.creditLimit']).toBe('clear');
    expect(matrix.analyst['Customer.deals']).toBe('clear');
    expect(matrix.analyst['Customer.tickets']).toBe('clear');
    expect(matrix.analyst['Mutation.mergeCustomers']).toBe('denied');
  });

  it('keeps each role to its domain', () => {
    expect(matrix.sales['Customer.creditLimit']).toBe('denied');
    expect(matrix.sales['Customer.orders']).toBe('clear');
    expect(matrix.finance['Customer.orders']).toBe('clear');
    expect(matrix.support['Customer.deals']).toBe('denied');
    expect(matrix.steward['Query.reviewQueue']).toBe('clear');
    expect(matrix.finance['Customer.taxId']).toBe('clear');
  });

  it('denies every protected field to anonymous callers and gives admins everything in clear', () => {
    expect(Object.values(matrix.anonymous).every((access) => access === 'denied')).toBe(true);
    expect(Object.values(matrix.admin).every((access) => access === 'clear')).toBe(true);
  });

  it('uses only declared scopes', () => {
    const used = new Set([...PROTECTED_FIELDS.flatMap((f) => f.scopes.flat()), ...Object.values(PROFILES).flatMap((p) => p.scopes)]);
    expect([...used].filter((scope) => !(scope in SCOPES))).toEqual([]);
  });

  it('matches an SDL written with the ADR 0003 snippets, and names each difference', () => {
    const sdl = `
      type Customer @requiresScopes(scopes: [["customers:read"]]) {
        primaryEmail: String @pii(mask: EMAIL) @requiresScopes(scopes: [["customers:read"]])
        creditLimit: Float @requiresScopes(scopes: [["finance:read"]])
        orders: [String] @requiresScopes(scopes: [["sales:read"], ["finance:read"]])
      }`;
    const subset = PROTECTED_FIELDS.filter((f) => ['Customer', 'Customer.primaryEmail', 'Customer.creditLimit', 'Customer.orders'].includes(f.coordinate));
    expect(compareMatrixWithRules(readAuthorizationRules(sdl), subset)).toEqual([]);
    expect(compareMatrixWithRules(readAuthorizationRules(sdl.replace('finance:read"]])\n', 'sales:read"]])\n')), subset)).toEqual([
      'Customer.creditLimit: matrix says {"a":true,"s":["finance:read"]}, SDL says {"a":true,"s":["sales:read"]}',
    ]);
    expect(compareMatrixWithRules(rulesOfMatrix())).toEqual([]);
  });

  it('renders the README table from the same data', () => {
    const table = renderScopeMatrixMarkdown();
    expect(table.split('\n')[0]).toBe('| field | declared | anonymous | analyst | steward | sales | support | finance | admin |');
    expect(table).toContain('| `Customer.primaryEmail` | customers:read · @pii(EMAIL) · audited | — | masked | ✔ | ✔ | ✔ | ✔ | ✔ |');
  });
});
