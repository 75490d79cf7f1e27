import { describe, expect, it } from 'vitest';
import { composeSupergraph, isCompositionFailure, supergraphId, validateSupergraphSdl } from './compose.js';
import { CONFLICTING_SDL, CRM_SDL, MDM_SDL } from './fixtures.js';

const mdm = { name: 'mdm', url: 'http://127.0.0.1:4003/graphql', sdl: MDM_SDL };
const crm = { name: 'crm', url: 'http://127.0.0.1:4002/graphql', sdl: CRM_SDL };

describe('composeSupergraph', () => {
  it('composes subgraph SDLs into a supergraph naming each subgraph and its URL', () => {
    const outcome = composeSupergraph([mdm, crm]);
    if (isCompositionFailure(outcome)) throw new Error(JSON.stringify(outcome.errors));
    expect(outcome.supergraphSdl).toContain('MDM @join__graph(name: "mdm", url: "http://127.0.0.1:4003/graphql")');
    expect(outcome.supergraphSdl).toContain('CRM @join__graph(name: "crm", url: "http://127.0.0.1:4002/graphql")');
    expect(() => validateSupergraphSdl(outcome.supergraphSdl)).not.toThrow();
    expect(supergraphId(outcome.supergraphSdl)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('returns the composition errors as data, with their codes', () => {
    const outcome = composeSupergraph([mdm, { name: 'billing', url: 'http://127.0.0.1:1/graphql', sdl: CONFLICTING_SDL }]);
    expect(isCompositionFailure(outcome)).toBe(true);
    if (!isCompositionFailure(outcome)) return;
    expect(outcome.errors.length).toBeGreaterThan(0);
    expect(outcome.errors.some((e) => e.message.includes('Customer.name'))).toBe(true);
    expect(outcome.errors.every((e) => typeof e.code === 'string')).toBe(true);
  });

  it('reports an SDL that does not parse, naming its subgraph', () => {
    const outcome = composeSupergraph([mdm, { name: 'broken', url: 'http://127.0.0.1:1/graphql', sdl: 'type Query {' }]);
    expect(outcome).toEqual({ errors: [{ message: expect.stringMatching(/^\[broken\] SDL does not parse: Syntax Error/), code: 'INVALID_GRAPHQL' }] });
  });
});
