import { describe, expect, it } from 'vitest';
import { assertNoVariablesInGetUrl, assertOperationAllowedForMethod, preventCsrf } from './csrf.js';

describe('CSRF prevention', () => {
  it.each([
    ['a GET without headers', {}],
    ['text/plain', { 'content-type': 'text/plain' }],
    ['form-urlencoded', { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }],
    ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }],
  ])('blocks %s without a preflight-forcing header', (_label, headers) => {
    expect(() => preventCsrf(headers)).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'CSRF_BLOCKED' }) }));
  });

  it('lets through JSON, and simple requests that carry a preflight-forcing header', () => {
    expect(() => preventCsrf({ 'content-type': 'application/json' })).not.toThrow();
    expect(() => preventCsrf({ 'content-type': 'text/plain', 'apollo-require-preflight': 'true' })).not.toThrow();
    expect(() => preventCsrf({ 'x-apollo-operation-name': 'Customer360' })).not.toThrow();
  });

  it('does not count an empty header', () => {
    expect(() => preventCsrf({ 'content-type': 'text/plain', 'apollo-require-preflight': '' })).toThrow();
  });

  it('refuses mutations over GET with 405, and variables in a GET URL', () => {
    expect(() => assertOperationAllowedForMethod('GET', 'mutation')).toThrow(expect.objectContaining({ extensions: expect.objectContaining({ code: 'METHOD_NOT_ALLOWED' }) }));
    expect(() => assertOperationAllowedForMethod('POST', 'mutation')).not.toThrow();
    expect(() => assertOperationAllowedForMethod('GET', 'query')).not.toThrow();
    expect(() => assertNoVariablesInGetUrl('GET', { email: 'jane@acme.test' })).toThrow(/GET URL/);
    expect(() => assertNoVariablesInGetUrl('GET', undefined)).not.toThrow();
    expect(() => assertNoVariablesInGetUrl('POST', { email: 'x' })).not.toThrow();
  });
});
