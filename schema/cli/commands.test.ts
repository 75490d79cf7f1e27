import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';
import { registerSchemaCommands } from './commands.js';
import { startRegistry, type RunningRegistry } from '../registry/server.js';

const header = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key"])';
const v1 = `${header}\ntype Query { product(sku: ID!): Product }\ntype Product @key(fields: "sku") { sku: ID! name: String }`;
const v2 = `${header}\ntype Query { product(sku: ID!): Product }\ntype Product @key(fields: "sku") { sku: ID! name: String gtin: String }`;
const withoutName = `${header}\ntype Query { product(sku: ID!): Product }\ntype Product @key(fields: "sku") { sku: ID! gtin: String }`;
const broken = `${header}\ntype Query { product(sku: ID!): Product \ntype`;

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** Runs `concord schema …` in-process through a commander program like bin/concord.ts builds. */
async function concord(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const program = new Command('concord').exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  registerSchemaCommands(program, { stdout: (t) => (stdout += `${t}\n`), stderr: (t) => (stderr += `${t}\n`), exit: (code) => { throw new Exit(code); } });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof Exit) return { code: error.code, stdout, stderr };
    if ((error as { exitCode?: number }).exitCode !== undefined) return { code: (error as { exitCode: number }).exitCode, stdout, stderr };
    throw error;
  }
}

describe('concord schema CLI', () => {
  let embedded: EmbeddedPostgres;
  let registry: RunningRegistry;
  let dir: string;
  const files: Record<string, string> = {};
  const auth = (token: string) => ['--registry', registry.url, '--token', token];

  beforeAll(async () => {
    embedded = await startEmbeddedPostgres();
    registry = await startRegistry({
      databaseUrl: embedded.connectionString, port: 0,
      bootstrapTokens: [
        { token: 'catalog-token', scope: 'publish', team: 'catalog' }, { token: 'gw', scope: 'gateway' },
        { token: 'admin-token', scope: 'admin', label: 'platform admin' },
      ],
    });
    dir = await mkdtemp(path.join(tmpdir(), 'concord-cli-'));
    for (const [name, sdl] of Object.entries({ v1, v2, withoutName, broken })) {
      files[name] = path.join(dir, `${name}.graphql`);
      await writeFile(files[name], sdl);
    }
  });

  afterAll(async () => {
    await registry?.close();
    await embedded?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes and exits 0, then lists, shows history and fetches the supergraph', async () => {
    const published = await concord('schema', 'publish', ...auth('catalog-token'), '--subgraph', 'catalog', '--schema', files.v1, '--routing-url', 'http://127.0.0.1:4005/graphql', '--commit', 'abc1234');
    expect(published).toMatchObject({ code: 0 });
    expect(published.stdout).toMatch(/PASSED: check of subgraph "catalog" against no current supergraph/);
    expect(published.stdout).toMatch(/Published subgraph "catalog" version \d+; supergraph version \d+ is now current/);

    const list = await concord('schema', 'list', ...auth('catalog-token'));
    expect(list.stdout).toMatch(/^SUBGRAPH\s+TEAM\s+VERSION\s+ROUTING URL\s+PUBLISHED\ncatalog\s+catalog\s+\d+\s+http:\/\/127\.0\.0\.1:4005\/graphql/);
    const history = await concord('schema', 'history', ...auth('catalog-token'), '--json');
    expect(JSON.parse(history.stdout)).toEqual([expect.objectContaining({ action: 'publish', isCurrent: true })]);
    const fetched = await concord('schema', 'fetch-supergraph', ...auth('catalog-token'));
    expect(fetched.stdout).toContain('type Product');
  });

  it('exits 0 for a passing check and 1 for a failing one, with a readable report or JSON', async () => {
    await fetch(`${registry.url}/v1/usage`, {
      method: 'POST', headers: { authorization: 'Bearer gw', 'content-type': 'application/json' },
      body: JSON.stringify({ operations: [{ hash: 'h1', name: 'ProductPage', clientName: 'shop', clientVersion: '3.1', fields: ['Query.product', 'Product.name'], count: 7 }] }),
    });
    expect(await concord('schema', 'check', ...auth('catalog-token'), '--subgraph', 'catalog', '--schema', files.v2)).toMatchObject({ code: 0 });
    const failed = await concord('schema', 'check', ...auth('catalog-token'), '--subgraph', 'catalog', '--schema', files.withoutName);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toContain('BREAKING  Field \'name\' was removed from object type \'Product\'');
    expect(failed.stdout).toContain('used by ProductPage [h1] from shop@3.1: 7 request(s)');
    const json = await concord('schema', 'check', ...auth('catalog-token'), '--subgraph', 'catalog', '--schema', files.withoutName, '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ passed: false, summary: { breaking: 1 } });
    const refused = await concord('schema', 'publish', ...auth('catalog-token'), '--subgraph', 'catalog', '--schema', files.broken);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('[INVALID_GRAPHQL] Syntax Error');
  });

  it('exits 2 for usage, authentication and connection errors', async () => {
    expect(await concord('schema', 'check', ...auth('catalog-token'), '--subgraph', 'catalog')).toMatchObject({ code: 2, stderr: expect.stringContaining('--schema') });
    expect((await concord('schema', 'check', ...auth('catalog-token'), '--bogus')).code).toBe(2);
    expect(await concord('schema', 'list', ...auth('wrong'))).toMatchObject({ code: 2, stderr: expect.stringContaining('UNAUTHENTICATED') });
    const offline = await concord('schema', 'list', '--registry', 'http://127.0.0.1:9', '--token', 'x', '--json');
    expect(offline.code).toBe(2);
    expect(JSON.parse(offline.stdout).error.code).toBe('REGISTRY_UNAVAILABLE');
    expect((await concord('schema', 'rollback', ...auth('catalog-token'))).code).toBe(2);
  });

  it('rolls back with a team token when only its own subgraph changes', async () => {
    await concord('schema', 'publish', ...auth('catalog-token'), '--subgraph', 'catalog', '--schema', files.v2);
    const history = JSON.parse((await concord('schema', 'history', ...auth('catalog-token'), '--json')).stdout) as { id: number }[];
    const first = history[history.length - 1].id;
    const rolled = await concord('schema', 'rollback', ...auth('catalog-token'), '--to', String(first));
    expect(rolled).toMatchObject({ code: 0, stdout: expect.stringContaining(`Rolled back to supergraph version ${first}`) });
    expect((await concord('schema', 'fetch-supergraph', ...auth('catalog-token'))).stdout).not.toContain('gtin');
  });

  it('creates, lists and revokes a team token: only the secret on stdout, exit 0 / 2', async () => {
    const created = await concord('schema', 'token', 'create', ...auth('admin-token'), '--team', 'loyalty', '--label', 'loyalty CI');
    expect(created.code).toBe(0);
    const token = created.stdout.trim();
    expect(token).toMatch(/^concord_publish_\S+$/);
    expect(created.stderr).toMatch(/Issued token \d+ \(loyalty CI\)/);
    expect((await concord('schema', 'list', ...auth(token))).code).toBe(0);

    const list = await concord('schema', 'token', 'list', ...auth('admin-token'), '--json');
    expect(list.code).toBe(0);
    const tokens = JSON.parse(list.stdout) as { id: number; team: string | null; label: string; revoked: boolean }[];
    const loyalty = tokens.find((t) => t.team === 'loyalty')!;
    expect(loyalty).toMatchObject({ label: 'loyalty CI', revoked: false });
    expect(list.stdout).not.toContain(token);
    const table = await concord('schema', 'token', 'list', ...auth('admin-token'));
    expect(table.stdout).toMatch(/^ID\s+SCOPE\s+TEAM\s+LABEL\s+CREATED\s+REVOKED\n/);
    expect(table.stdout).not.toContain(token);

    expect(await concord('schema', 'token', 'revoke', ...auth('admin-token'), String(loyalty.id)))
      .toMatchObject({ code: 0, stdout: `Token ${loyalty.id} (loyalty CI) is revoked.\n` });
    expect(await concord('schema', 'list', ...auth(token))).toMatchObject({ code: 2, stderr: expect.stringContaining('UNAUTHENTICATED') });

    expect(await concord('schema', 'token', 'create', ...auth('catalog-token'), '--team', 'x')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('FORBIDDEN') });
    expect(await concord('schema', 'token', 'create', ...auth('admin-token'))).toMatchObject({ code: 2, stderr: expect.stringContaining('--team') });
    expect((await concord('schema', 'token', 'create', ...auth('admin-token'), '--scope', 'root')).code).toBe(2);
    expect((await concord('schema', 'token', 'revoke', ...auth('admin-token'), 'abc')).code).toBe(2);
    expect((await concord('schema', 'token', 'revoke', ...auth('admin-token'))).code).toBe(2);
    expect(await concord('schema', 'token', 'revoke', ...auth('admin-token'), '999999')).toMatchObject({ code: 2, stderr: expect.stringContaining('NOT_FOUND') });
    expect((await concord('schema', 'token', 'list', ...auth('catalog-token'))).code).toBe(2);
  });
  it('publishes a client\'s trusted documents from a manifest file, lists them, and refuses a manifest whose ids are not its bodies\' hashes', async () => {
    const body = '{ product(sku: "A-1") { name } }';
    const id = createHash('sha256').update(body).digest('hex');
    const good = path.join(dir, 'web-manifest.json');
    await writeFile(good, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id, name: 'ProductName', type: 'query', body }] }));
    const published = await concord('schema', 'documents', 'publish', ...auth('catalog-token'), '--client', 'web', '--manifest', good);
    expect(published).toMatchObject({ code: 0 });
    expect(published.stdout).toMatch(/^Published 1 trusted document\(s\) for client "web"/);

    const list = await concord('schema', 'documents', 'list', ...auth('gw'), '--json');
    expect(JSON.parse(list.stdout)).toEqual([expect.objectContaining({ client: 'web', operations: 1 })]);

    const bad = path.join(dir, 'bad-manifest.json');
    await writeFile(bad, JSON.stringify({ format: 'apollo-persisted-query-manifest', version: 1, operations: [{ id, name: 'Other', type: 'query', body: '{ product(sku: "B") { name } }' }] }));
    const refused = await concord('schema', 'documents', 'publish', ...auth('catalog-token'), '--client', 'web', '--manifest', bad);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/is not the sha256 of its body/);
    const still = await concord('schema', 'documents', 'list', ...auth('gw'), '--json');
    expect(JSON.parse(still.stdout)[0].operations).toBe(1);

    const anonymousGateway = await concord('schema', 'documents', 'publish', ...auth('gw'), '--client', 'web', '--manifest', good);
    expect(anonymousGateway.code).not.toBe(0);
  });
});
