import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentHash } from '../../platform/persisted/trustedDocumentManifest.js';
import { RegistryClient } from '../../schema/client/registryClient.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Trusted documents end to end (issue 14): a client team publishes its
 * manifest to the schema registry, the stack's gateway follows it, and the
 * client — opted in with TRUSTED_DOCUMENTS_CLIENTS — runs its listed
 * operations and is refused anything else with PERSISTED_QUERY_NOT_IN_LIST.
 */
const LISTED = 'query ProductNames { products(first: 3) { nodes { sku name } } }';
const UNLISTED = '{ products(first: 3) { nodes { sku name gtin } } }';

let stack: TestStack;

async function post(body: unknown, client: string): Promise<{ status: number; body: any }> {
  const response = await fetch(stack.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'apollographql-client-name': client, ...stack.headersFor('demo-admin') },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

beforeAll(async () => {
  stack = await startTestStack({ companies: 20, registry: true, env: { TRUSTED_DOCUMENTS_CLIENTS: 'web', REGISTRY_POLL_INTERVAL_MS: '200' } });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('trusted documents published through the registry', () => {
  it('refuses everything to the opted-in client until its manifest is published, then runs only what it lists', async () => {
    const before = await post({ query: LISTED }, 'web');
    expect([before.status, before.body.errors[0].extensions.code]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST']);

    const registry = new RegistryClient({ registryUrl: stack.registry!.url, token: stack.registry!.tokens.admin });
    await registry.publishTrustedDocuments('web', {
      format: 'apollo-persisted-query-manifest', version: 1,
      operations: [{ id: documentHash(LISTED), name: 'ProductNames', type: 'query', body: LISTED }],
    });

    let listed = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(LISTED) } } }, 'web');
    for (let i = 0; i < 50 && listed.status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      listed = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(LISTED) } } }, 'web');
    }
    expect(listed.status).toBe(200);
    expect(listed.body.data.products.nodes).toHaveLength(3);

    const unlisted = await post({ query: UNLISTED }, 'web');
    expect([unlisted.status, unlisted.body.errors[0].extensions.code, unlisted.body.data]).toEqual([403, 'PERSISTED_QUERY_NOT_IN_LIST', undefined]);

    const otherClient = await post({ query: UNLISTED }, 'console');
    expect(otherClient.status).toBe(200);
    expect(otherClient.body.data.products.nodes).toHaveLength(3);
  });
});
