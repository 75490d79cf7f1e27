import { describe, expect, it } from 'vitest';
import { GatewayHttpError } from '../errors.js';
import type { GatewayContext } from '../plugins.js';
import { documentHash, validateManifest, type TrustedDocumentManifest } from '../../platform/persisted/trustedDocumentManifest.js';
import { MemoryPersistedQueryStore } from './persistedQueryStore.js';
import { resolveDocument } from './resolveDocument.js';
import { TrustedDocuments } from './trustedDocuments.js';

const QUERY = '{ customers(first: 1) { nodes { id } } }';
const HASH = documentHash(QUERY);
const OTHER = '{ products(first: 1) { nodes { sku } } }';

function contextOf(headers: Record<string, string> = {}, claims?: Record<string, unknown>): GatewayContext {
  return {
    requestId: 'r',
    method: 'POST',
    headers,
    state: claims ? { principal: { kind: 'user', subject: 'u', scopes: [], claims } } : {},
    suggestions: false,
  };
}

function manifestOf(...bodies: string[]): TrustedDocumentManifest {
  return validateManifest({
    format: 'apollo-persisted-query-manifest',
    version: 1,
    operations: bodies.map((body, i) => ({ id: documentHash(body), name: `Op${i}`, type: 'query', body })),
  });
}

async function codeOf(promise: Promise<unknown>): Promise<[string, number]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GatewayHttpError) return [error.code, error.status];
    throw error;
  }
  throw new Error('resolved');
}

describe('automatic persisted queries', () => {
  const trusted = new TrustedDocuments();

  it('answers PERSISTED_QUERY_NOT_FOUND for an unknown hash, then runs it by hash once registered with its query', async () => {
    const apq = new MemoryPersistedQueryStore();
    const byHash = { extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } };
    expect(await codeOf(resolveDocument(byHash, contextOf(), { apq, trusted }))).toEqual(['PERSISTED_QUERY_NOT_FOUND', 200]);
    expect(await resolveDocument({ query: QUERY, ...byHash }, contextOf(), { apq, trusted })).toBe(QUERY);
    expect(await resolveDocument(byHash, contextOf(), { apq, trusted })).toBe(QUERY);
  });

  it('refuses a query whose hash is not the one sent, and does not register it', async () => {
    const apq = new MemoryPersistedQueryStore();
    const wrong = { query: OTHER, extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } };
    expect(await codeOf(resolveDocument(wrong, contextOf(), { apq, trusted }))).toEqual(['PERSISTED_QUERY_HASH_MISMATCH', 400]);
    expect(apq.get(HASH)).toBeUndefined();
  });

  it('refuses other protocol versions and malformed hashes', async () => {
    const apq = new MemoryPersistedQueryStore();
    expect(await codeOf(resolveDocument({ extensions: { persistedQuery: { version: 2, sha256Hash: HASH } } }, contextOf(), { apq, trusted }))).toEqual(['PERSISTED_QUERY_VERSION_UNSUPPORTED', 400]);
    expect(await codeOf(resolveDocument({ extensions: { persistedQuery: { version: 1, sha256Hash: 'abc' } } }, contextOf(), { apq, trusted }))).toEqual(['BAD_REQUEST', 400]);
  });

  it('says PERSISTED_QUERY_NOT_SUPPORTED when APQ is off', async () => {
    expect(await codeOf(resolveDocument({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }, contextOf(), { apq: false, trusted }))).toEqual(['PERSISTED_QUERY_NOT_SUPPORTED', 400]);
  });

  it('evicts the least recently used documents past its byte budget', () => {
    const store = new MemoryPersistedQueryStore(100);
    store.set('a', 'x'.repeat(40));
    store.set('b', 'y'.repeat(40));
    store.get('a');
    store.set('c', 'z'.repeat(40));
    expect([store.get('a') !== undefined, store.get('b') !== undefined, store.get('c') !== undefined]).toEqual([true, false, true]);
  });
});

describe('trusted documents', () => {
  const trusted = new TrustedDocuments(['web']);
  trusted.replace('web', manifestOf(QUERY));
  const apq = new MemoryPersistedQueryStore();

  it('runs a listed document for an opted-in client, by hash or in full', async () => {
    const web = contextOf({ 'apollographql-client-name': 'web' });
    expect(await resolveDocument({ extensions: { persistedQuery: { version: 1, sha256Hash: HASH } } }, web, { apq, trusted })).toBe(QUERY);
    expect(await resolveDocument({ query: QUERY }, web, { apq, trusted })).toBe(QUERY);
  });

  it('refuses an opted-in client an unlisted operation, in full or registered by APQ', async () => {
    const web = contextOf({ 'apollographql-client-name': 'web' });
    expect(await codeOf(resolveDocument({ query: OTHER }, web, { apq, trusted }))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST', 403]);
    const register = { query: OTHER, extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(OTHER) } } };
    expect(await codeOf(resolveDocument(register, web, { apq, trusted }))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST', 403]);
    expect(apq.get(documentHash(OTHER))).toBeUndefined();
  });

  it("takes the client from the token's azp over the header, so dropping the header does not escape the opt-in", async () => {
    const spoofed = contextOf({ 'apollographql-client-name': 'cli' }, { azp: 'web' });
    expect(await codeOf(resolveDocument({ query: OTHER }, spoofed, { apq, trusted }))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST', 403]);
  });

  it('lets clients that did not opt in send any document', async () => {
    expect(await resolveDocument({ query: OTHER }, contextOf({ 'apollographql-client-name': 'console' }), { apq, trusted })).toBe(OTHER);
    expect(await resolveDocument({ query: OTHER }, contextOf(), { apq, trusted })).toBe(OTHER);
  });

  it('refuses everything to an opted-in client with no manifest yet (fail closed)', async () => {
    const mobile = new TrustedDocuments(['mobile']);
    expect(await codeOf(resolveDocument({ query: QUERY }, contextOf({ 'apollographql-client-name': 'mobile' }), { apq, trusted: mobile }))).toEqual(['PERSISTED_QUERY_NOT_IN_LIST', 403]);
  });

  it('refuses a manifest whose id is not the hash of its body', () => {
    expect(() => validateManifest({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: HASH, name: 'X', type: 'query', body: OTHER }] })).toThrow(
      /operations\[0\]\.id: .* is not the sha256 of its body/,
    );
  });
});
