import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scaffoldSubgraph } from '../../schema/cli/scaffold.js';
import type { RunningSubgraph } from '../../platform/index.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { concord, waitUntil } from './registryFixtures.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repository = path.join(here, '../..');
const LOYALTY_TOKEN = 'loyalty-publish-token-for-tests';

/**
 * Issue 5: a subgraph scaffolded with `concord subgraph new` passes its own
 * test, is published with the CLI and its team's token, and its fields
 * answer through the running gateway — in one test.
 */
describe('a scaffolded subgraph, from `concord subgraph new` to the graph', () => {
  let stack: TestStack;
  let parent: string;
  let subgraph: RunningSubgraph | undefined;

  beforeAll(async () => {
    stack = await startTestStack({ companies: 40, registry: true, env: { REGISTRY_TOKENS: `publish:loyalty:${LOYALTY_TOKEN}` } });
    // Inside the repository (a dot folder: test discovery skips it) so the generated code resolves the kit and node_modules.
    parent = await mkdtemp(path.join(here, '.scaffold-'));
  });

  afterAll(async () => {
    await subgraph?.close();
    await stack?.stop();
    await rm(parent, { recursive: true, force: true });
  });

  it('passes its own test, is published with the team token, and answers through the gateway', async () => {
    const dir = path.join(parent, 'loyalty');
    const kitImport = path.relative(dir, path.join(repository, 'platform/index.js'));
    await scaffoldSubgraph({ name: 'loyalty', parentDir: parent, kitImport, port: 4100, team: 'loyalty' });

    const ownTest = await promisify(execFile)('npx', ['vitest', 'run', '--dir', dir], { cwd: repository, env: { ...process.env, CI: '' }, timeout: 120_000 });
    expect(ownTest.stdout).toMatch(/Tests\s+.*3 passed/);

    const { startLoyaltySubgraph } = (await import(path.join(dir, 'server.ts'))) as {
      startLoyaltySubgraph(options: { port: number; host: string; gatewayProof: unknown }): Promise<RunningSubgraph>;
    };
    subgraph = await startLoyaltySubgraph({ port: 0, host: '127.0.0.1', gatewayProof: stack.gatewayProofKey });
    const published = await concord('schema', 'publish', '--registry', stack.registry!.url, '--token', LOYALTY_TOKEN,
      '--subgraph', 'loyalty', '--schema', path.join(dir, 'schema.graphql'), '--routing-url', subgraph.url, '--commit', 'c0ffee1');
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(published.stdout).toMatch(/Published subgraph "loyalty" version \d+; supergraph version \d+ is now current/);

    const query = '{ loyaltyItem(id: "1") { id name } }';
    const servedAfterMs = await waitUntil(async () => {
      const { status, body } = await postGraphQL(stack.gatewayUrl, query, {}, stack.headersFor('demo-analyst'));
      return status === 200 && body.data?.loyaltyItem?.name === 'first loyalty item';
    }, { timeoutMs: 5_000, what: 'loyaltyItem through the gateway' });
    console.log(`scaffolded subgraph served through the gateway ${servedAfterMs} ms after its publish`);
    // Its @authenticated type is enforced at the gateway as for ERP, CRM and MDM.
    const anonymous = await postGraphQL(stack.gatewayUrl, query);
    expect(anonymous.body.data?.loyaltyItem ?? null).toBeNull();
    expect(anonymous.body.errors?.[0]?.extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});
