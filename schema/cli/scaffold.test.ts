import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';
import { GATEWAY_PROOF_HEADER, generateGatewayProofSecret, signGatewayProof } from '../../platform/auth/index.js';
import { registerSchemaCommands } from './commands.js';
import { scaffoldSubgraph, subgraphNames } from './scaffold.js';
import { startRegistry, type RunningRegistry } from '../registry/server.js';

const here = path.dirname(fileURLToPath(import.meta.url));

describe('concord subgraph new', () => {
  let parent: string;
  let embedded: EmbeddedPostgres;
  let registry: RunningRegistry;

  beforeAll(async () => {
    // Inside the repository (a dot folder, ignored by test discovery) so the
    // generated code resolves the kit and node_modules as a real one would.
    parent = await mkdtemp(path.join(here, '.scaffold-'));
    embedded = await startEmbeddedPostgres();
    registry = await startRegistry({
      databaseUrl: embedded.connectionString, port: 0,
      bootstrapTokens: [{ token: 'loyalty-token', scope: 'publish', team: 'loyalty-team' }],
    });
  });

  afterAll(async () => {
    await registry?.close();
    await embedded?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('names the generated code after the subgraph and refuses bad names', () => {
    expect(subgraphNames('loyalty-points')).toEqual({ name: 'loyalty-points', pascal: 'LoyaltyPoints', camel: 'loyaltyPoints', constant: 'LOYALTY_POINTS' });
    expect(() => subgraphNames('Bad Name')).toThrow(/lower-case letters/);
    expect(() => subgraphNames('erp')).toThrow(/taken/);
  });

  it('scaffolds a subgraph that serves its fields, batches its source and publishes to the registry', async () => {
    const kitImport = path.relative(path.join(parent, 'loyalty'), path.join(here, '../../platform/index.js'));
    const files = await scaffoldSubgraph({ name: 'loyalty', parentDir: parent, kitImport, port: 4100, team: 'loyalty-team' });
    expect(files.map((f) => path.basename(f)).sort()).toEqual([
      'README.md', 'config.ts', 'index.ts', 'loaders.ts', 'loyalty.test.ts', 'main.ts', 'resolvers.ts', 'schema.graphql', 'schema.ts', 'server.ts', 'source.ts', 'typeDefs.ts',
    ]);
    await expect(scaffoldSubgraph({ name: 'loyalty', parentDir: parent, kitImport })).rejects.toThrow(/not empty/);

    const { startLoyaltySubgraph } = await import(path.join(parent, 'loyalty', 'server.ts'));
    const events: unknown[] = [];
    const proofKey = generateGatewayProofSecret();
    const proof = await signGatewayProof({ subject: 'tester', scopes: [] }, proofKey);
    await expect(startLoyaltySubgraph({ port: 0, host: '127.0.0.1' })).rejects.toThrow(/CONCORD_GATEWAY_PROOF_SECRET/);
    const subgraph = await startLoyaltySubgraph({ port: 0, host: '127.0.0.1', gatewayProof: proofKey, onSourceRequest: (e: unknown) => events.push(e) });
    try {
      const post = (query: string, variables?: unknown) => fetch(subgraph.url, {
        method: 'POST', headers: { 'content-type': 'application/json', [GATEWAY_PROOF_HEADER]: proof }, body: JSON.stringify({ query, variables }),
      }).then((r) => r.json());
      // Without the gateway's proof: 401, as for ERP, CRM and MDM.
      expect((await fetch(subgraph.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ _service { sdl } }"}' })).status).toBe(401);
      expect(await post('{ loyaltyItem(id: "1") { id name } }')).toEqual({ data: { loyaltyItem: { id: '1', name: 'first loyalty item' } } });
      await post('query ($r: [_Any!]!) { _entities(representations: $r) { ... on LoyaltyItem { id } } }', {
        r: [{ __typename: 'LoyaltyItem', id: '1' }, { __typename: 'LoyaltyItem', id: '2' }],
      });
      expect(events.at(-1)).toEqual({ source: 'loyalty', operation: 'items.byId', size: 2 });
      expect((await fetch(subgraph.url.replace(/\/graphql$/, '/health'))).status).toBe(200);

      let out = '';
      const program = new Command().exitOverride();
      registerSchemaCommands(program, { stdout: (t) => (out += t), stderr: (t) => (out += t), exit: (code) => { throw new Error(`exit ${code}: ${out}`); } });
      await program.parseAsync(['schema', 'publish', '--registry', registry.url, '--token', 'loyalty-token', '--subgraph', 'loyalty',
        '--schema', path.join(parent, 'loyalty', 'schema.graphql'), '--routing-url', subgraph.url], { from: 'user' });
      expect(out).toContain('Published subgraph "loyalty"');
      const supergraph = await (await fetch(`${registry.url}/supergraph`, { headers: { authorization: 'Bearer loyalty-token' } })).text();
      expect(supergraph).toContain('loyaltyItem(id: ID!): LoyaltyItem');
      expect(supergraph).toContain(`url: "${subgraph.url}"`);
    } finally {
      await subgraph.close();
    }
    expect(await readFile(path.join(parent, 'loyalty', 'README.md'), 'utf8')).toContain('npx concord schema publish --subgraph loyalty');
  });

  it('passes its own generated test', async () => {
    const { stdout } = await promisify(execFile)('npx', ['vitest', 'run', '--dir', path.join(parent, 'loyalty')], {
      cwd: path.join(here, '../..'), env: { ...process.env, CI: '' }, timeout: 120_000,
    });
    expect(stdout).toMatch(/Tests\s+.*3 passed/);
  });
});
