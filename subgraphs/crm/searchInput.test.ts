import { describe, expect, it } from 'vitest';
import { SEARCH_LIMITS } from '../../platform/hubspot/index.js';
import { parseSearchRequest } from '../../sandbox/crm/search.js';
import { CrmInputError, validateCrmSearchInput } from './searchInput.js';

/**
 * The client and the stand-in check a search against the same contract
 * (platform/hubspot/search.ts): what one refuses, the other refuses too.
 */
describe('a CRM search, checked by the client and by the stand-in against one contract', () => {
  const page = (after: number, limit: number) => ({ filterGroups: [], limit, after: String(after) });

  it('may end exactly at the 10,000th result', () => {
    const last = page(SEARCH_LIMITS.maxResults - 100, 100);
    expect(validateCrmSearchInput(last).after).toBe('9900');
    expect(parseSearchRequest(last).offset).toBe(9900);
  });

  it('may not page past the 10,000th result: the client says so before any round trip', () => {
    const beyond = page(SEARCH_LIMITS.maxResults - 99, 100);
    expect(() => validateCrmSearchInput(beyond)).toThrow(CrmInputError);
    expect(() => validateCrmSearchInput(beyond)).toThrow(/stop at 10000; after \(9901\) \+ limit \(100\)/);
    expect(() => parseSearchRequest(beyond)).toThrow(/limited to 10000 items/);
  });

  it('refuses the same unknown operator and too many filter groups on both sides', () => {
    const badOperator = { filterGroups: [{ filters: [{ propertyName: 'name', operator: 'LIKE', value: 'a' }] }] };
    expect(() => validateCrmSearchInput(badOperator)).toThrow(/expected one of EQ, NEQ/);
    expect(() => parseSearchRequest(badOperator)).toThrow(/expected one of EQ, NEQ/);
    const groups = Array.from({ length: SEARCH_LIMITS.maxFilterGroups + 1 }, () => ({ filters: [{ propertyName: 'name', operator: 'HAS_PROPERTY' }] }));
    expect(() => validateCrmSearchInput({ filterGroups: groups })).toThrow(CrmInputError);
    expect(() => parseSearchRequest({ filterGroups: groups })).toThrow(/maximum number of filter groups is 5/);
  });
});
