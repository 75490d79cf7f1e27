import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { ANONYMOUS, userPrincipal } from '../../platform/auth/principal.js';
import { checkIntrospectionAllowed, isIntrospection, stripSuggestions } from './explore.js';

const schema = buildSchema('type Query { customer: Customer } type Customer { name: String creditLimit: Float }');
const analyst = userPrincipal('a', ['explore']);
const sales = userPrincipal('s', ['customers:read']);

describe('introspection and suggestions in production', () => {
  it('finds introspection through fragments, not __typename', () => {
    expect(isIntrospection(parse('{ ...F } fragment F on Query { __schema { types { name } } }'))).toBe(true);
    expect(isIntrospection(parse('{ customer { __typename } }'))).toBe(false);
  });

  it('refuses introspection without explore in production only', () => {
    const document = parse('{ __type(name: "Customer") { fields { name } } }');
    expect(checkIntrospectionAllowed(document, sales, true)?.extensions.code).toBe('INTROSPECTION_DISABLED');
    expect(checkIntrospectionAllowed(document, ANONYMOUS, true)).toBeDefined();
    expect(checkIntrospectionAllowed(document, analyst, true)).toBeUndefined();
    expect(checkIntrospectionAllowed(document, sales, false)).toBeUndefined();
  });

  it('strips "Did you mean" for callers without explore', () => {
    const errors = validate(schema, parse('{ customer { creditLimt } }'));
    expect(errors[0].message).toMatch(/Did you mean "creditLimit"\?/);
    expect(stripSuggestions(errors, sales, true)[0].message).toBe('Cannot query field "creditLimt" on type "Customer".');
    expect(stripSuggestions(errors, analyst, true)[0].message).toMatch(/Did you mean/);
  });
});
