import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSubgraph } from '../../platform/index.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  MARKETING_TOKEN, PROMOTIONS_V1, PROMOTIONS_WITHOUT_LABEL, PROMOTIONS_WITHOUT_NOTE, REGISTRY_ENV,
  concord, sdlFolder, servedSupergraph, startPromotionsSubgraph, waitUntil,
} from './registryFixtures.js';

/**
 * Issue 5: a breaking change (a removed field) that a recorded operation used
 * is refused, and the report names the operation and the client; the same
 * kind of change with no recorded use passes with a warning. The usage is
 * recorded by the gateway itself from real client requests.
 */
describe('operation checks against the usage the gateway recorded', () => {
  let stack: TestStack;
  let promotions: RunningSubgraph;
  let sdl: Awaited<ReturnType<typeof sdlFolder>>;
  const asTeam = () => ['--registry', stack.registry!.url, '--token', MARKETING_TOKEN];

  beforeAll(async () => {
    stack = await startTestStack({ companies: 40, registry: true, env: REGISTRY_ENV });
    sdl = await sdlFolder();
    promotions = await startPromotionsSubgraph(PROMOTIONS_V1, stack.gatewayProofKey);
    const before = (await servedSupergraph(stack.gatewayUrl)).id;
    const published = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', await sdl.file('v1', PROMOTIONS_V1), '--routing-url', promotions.url);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    await waitUntil(async () => (await servedSupergraph(stack.gatewayUrl)).id !== before, { what: 'the gateway to serve promotions v1' });
  });

  afterAll(async () => {
    await stack?.stop();
    await promotions?.close();
    await sdl?.remove();
  });

  it('refuses removing a field a client used through the gateway, naming the operation and the client', async () => {
    const client = { ...stack.headersFor('demo-analyst'), 'apollographql-client-name': 'web-shop', 'apollographql-client-version': '4.2.0' };
    for (let i = 0; i < 3; i++) {
      const { status, body } = await postGraphQL(stack.gatewayUrl, 'query PromoBanner { promotions { code label } }', {}, client);
      expect(status).toBe(200);
      expect(body.data.promotions[0]).toEqual({ code: 'SPRING10', label: 'Spring sale' });
    }
    await stack.registry!.flushUsage();

    const removal = await sdl.file('without-label', PROMOTIONS_WITHOUT_LABEL);
    const refused = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', removal);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAILED: check of subgraph "promotions"/);
    expect(refused.stdout).toContain("BREAKING  Field 'label' was removed from object type 'Promotion'");
    expect(refused.stdout).toMatch(/used by PromoBanner \[[0-9a-f]+\] from web-shop@4\.2\.0: 3 request\(s\)/);
    expect(refused.stdout).toContain('Refused: nothing was published');

    const json = JSON.parse((await concord('schema', 'check', ...asTeam(), '--subgraph', 'promotions', '--schema', removal, '--json')).stdout);
    expect(json.passed).toBe(false);
    expect(json.operations.affected).toEqual([
      expect.objectContaining({ name: 'PromoBanner', clientName: 'web-shop', clientVersion: '4.2.0', count: 3, coordinates: ['Promotion.label'] }),
    ]);
    // Still served: the refused publish changed nothing.
    const { body } = await postGraphQL(stack.gatewayUrl, 'query PromoBanner { promotions { code label } }', {}, client);
    expect(body.data.promotions[0].label).toBe('Spring sale');
  });

  it('publishes the removal of a field no operation used, with a warning', async () => {
    const passed = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', await sdl.file('without-note', PROMOTIONS_WITHOUT_NOTE));
    expect(passed.code, passed.stdout).toBe(0);
    expect(passed.stdout).toMatch(/^PASSED: check of subgraph "promotions"/);
    expect(passed.stdout).toContain("WARNING   Field 'note' was removed from object type 'Promotion'");
    expect(passed.stdout).toContain('no operation used it within the window');
    expect(passed.stdout).toMatch(/Published subgraph "promotions" version \d+/);
    await waitUntil(async () => {
      const { status } = await postGraphQL(stack.gatewayUrl, '{ promotions { note } }', {}, stack.headersFor('demo-analyst'));
      return status === 400;
    }, { timeoutMs: 5_000, what: 'Promotion.note to leave the graph' });
    const { body } = await postGraphQL(stack.gatewayUrl, 'query PromoBanner { promotions { code label } }', {}, stack.headersFor('demo-analyst'));
    expect(body.data.promotions).toHaveLength(2);
  });
});
