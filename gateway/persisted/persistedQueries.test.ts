import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../server.js';
import { CRM_SDL, crmResolvers, MDM_SDL, mdmResolvers, startTinySubgraph, type TinySubgraph } from '../supergraph/fixtures.js';
import { documentHash } from '../../platform/persisted/trustedDocumentManifest.js';

/**
 * Apollo's APQ protocol and trusted documents through the gateway's HTTP
 * surface (ADR 0014): register by hash + query, run by hash (POST and GET),
 * the mismatch refused, and a client that opted in to trusted documents
 * refused an operation its manifest does not list.
 */
const LISTED = '{ customer(id: "1") { name } }';
const UNLISTED = '{ customer(id: "1") { id } }';

describe('persisted queries through the gateway', () => {
  let mdm: TinySubgraph;
  let crm: TinySubgraph;
  let gateway: RunningGateway;
  let manifests: string;

  async function post(body: unknown, headers: Record<string, string> = {}) {
    const response = await fetch(gateway.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: response.status, headers: response.headers, body: (await response.json()) as any };
  }

  beforeAll(async () => {
    manifests = await mkdtemp(path.join(tmpdir(), 'concord-trusted-'));
    await writeFile(
      path.join(manifests, 'web.json'),
      JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id: documentHash(LISTED), name: 'Listed', type: 'query', body: LISTED }] }),
    );
    mdm = await startTinySubgraph('mdm', MDM_SDL, mdmResolvers);
    crm = await startTinySubgraph('crm', CRM_SDL, crmResolvers);
    gateway = await startGateway({
      port: 0, subgraphs: [mdm, crm], production: false, logLevel: 'silent',
      persistedQueries: { apq: true, trustedClients: ['web'], trustedDocumentsDir: manifests },
    });
  });
  afterAll(async () => {
    await gateway?.close();
    await mdm?.close();
    await crm?.close();
    await rm(manifests, { recursive: true, force: true });
  });

  it('round-trips APQ: unknown hash, register with the query, then the hash alone by POST and by GET', async () => {
    const query = '{ customer(id: "1") { id name } }';
    const extensions = { persistedQuery: { version: 1, sha256Hash: documentHash(query) } };
    const unknown = await post({ extensions });
    expect([unknown.status, unknown.body.errors[0].extensions.code, unknown.body.errors[0].message]).toEqual([200, 'PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound']);
    expect(unknown.headers.get('cache-control')).toBe('private, no-cache, must-revalidate');

    const registered = await post({ query, extensions });
    expect(registered.status).toBe(200);
    const byHash = await post({ extensions });
    expect(byHash.body).toEqual(registered.body);
    expect(byHash.body.data.customer.id).toBe('1');

    // A GET carries the hash only: no document text and no variables in the URL.
    const response = await fetch(`${gateway.url}?${new URLSearchParams({ extensions: JSON.stringify(extensions) })}`, { headers: { accept: 'application/json', 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(registered.body);
  });

  it('refuses a query sent with another hash, and neither runs nor registers it', async () => {
    const sha256Hash = documentHash('{ customer(id: "2") { name } }');
    const mismatch = await post({ query: '{ customer(id: "1") { name } }', extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect([mismatch.status, mismatch.body.errors[0].extensions.code, mismatch.body.data]).toEqual([400, 'PERSISTED_QUERY_HASH_MISMATCH', undefined]);
    const after = await post({ extensions: { persistedQuery: { version: 1, sha256Hash } } });
    expect(after.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
  });

  it('runs a listed document for a client in trusted-documents mode, by hash and in full', async () => {
    const web = { 'apollographql-client-name': 'web' };
    const byHash = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: documentHash(LISTED) } } }, web);
    const full = await post({ query: LISTED }, web);
    expect([byHash.status, full.status]).toEqual([200, 200]);
    expect(byHash.body.data).toEqual(full.body.data);
    expect(full.body.data.customer.name).toEqual(expect.any(String));
  });

  it('refuses a client in trusted-documents mode an operation its manifest does not list, with a code', async () => {
    const refused = await post({ query: UNLISTED }, { 'apollographql-client-name': 'web' });
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_IN_LIST');
    expect(refused.body.data).toBeUndefined();
    const other = await post({ query: UNLISTED }, { 'apollographql-client-name': 'console' });
    expect([other.status, other.body.data.customer.id]).toEqual([200, '1']);
  });
});
