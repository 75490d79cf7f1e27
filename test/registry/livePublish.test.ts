import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSubgraph } from '../../platform/index.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  MARKETING_TOKEN, PROMOTIONS_CONFLICTING, PROMOTIONS_V1, PROMOTIONS_V2, REGISTRY_ENV,
  concord, sdlFolder, servedSupergraph, startPromotionsSubgraph, waitUntil,
} from './registryFixtures.js';

/**
 * Issue 5, "what must be shown": a safe additive change published while a
 * load runs against the gateway is served within 5 s, and not one request of
 * the load fails or is dropped; a composition error is refused with its
 * message and the running gateway is untouched.
 */
describe('publishing to the registry while the gateway serves', () => {
  let stack: TestStack;
  let v1: RunningSubgraph;
  let v2: RunningSubgraph;
  let sdl: Awaited<ReturnType<typeof sdlFolder>>;
  const asTeam = () => ['--registry', stack.registry!.url, '--token', MARKETING_TOKEN];
  const admin = () => stack.headersFor('demo-admin');

  beforeAll(async () => {
    stack = await startTestStack({ companies: 40, registry: true, env: REGISTRY_ENV });
    sdl = await sdlFolder();
    v1 = await startPromotionsSubgraph(PROMOTIONS_V1, stack.gatewayProofKey);
    const before = (await servedSupergraph(stack.gatewayUrl)).id;
    const published = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', await sdl.file('v1', PROMOTIONS_V1), '--routing-url', v1.url);
    expect(published.code, published.stdout + published.stderr).toBe(0);
    await waitUntil(async () => (await servedSupergraph(stack.gatewayUrl)).id !== before, { what: 'the gateway to serve promotions v1' });
  });

  afterAll(async () => {
    await stack?.stop();
    await v1?.close();
    await v2?.close();
    await sdl?.remove();
  });

  it('serves a field published under load within 5 s, and every request of the load succeeds', async () => {
    // Blue/green, as a team deploys: v2 of the subgraph runs beside v1 before its SDL is published.
    v2 = await startPromotionsSubgraph(PROMOTIONS_V2, stack.gatewayProofKey);
    const v2File = await sdl.file('v2', PROMOTIONS_V2);
    const loadQuery = 'query Load { promotions { code label } customers(first: 3) { nodes { id name } } }';
    const clients = 8;
    const loadMs = 8_000;
    let sent = 0;
    let succeeded = 0;
    const failures: string[] = [];
    const loadEnds = performance.now() + loadMs;
    const client = async () => {
      while (performance.now() < loadEnds) {
        sent++;
        try {
          const { status, body } = await postGraphQL(stack.gatewayUrl, loadQuery, {}, admin());
          if (status === 200 && !body.errors && body.data?.promotions?.length === 2 && body.data.customers.nodes.length === 3) succeeded++;
          else failures.push(`${status} ${JSON.stringify(body).slice(0, 300)}`);
        } catch (error) {
          failures.push(`request failed: ${(error as Error).message}`);
        }
      }
    };
    const load = Promise.all(Array.from({ length: clients }, client));

    await sleep(2_500);
    const idBefore = (await servedSupergraph(stack.gatewayUrl)).id;
    const publishStarted = performance.now();
    const published = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', v2File, '--routing-url', v2.url);
    const publishedAt = performance.now();
    expect(published.code, published.stdout + published.stderr).toBe(0);
    expect(published.stdout).toMatch(/SAFE\s+Field 'discountPercent' was added to object type 'Promotion'/);
    const servedAfterMs = await waitUntil(async () => {
      const { status, body } = await postGraphQL(stack.gatewayUrl, '{ promotions { code discountPercent } }', {}, admin());
      return status === 200 && !body.errors && body.data?.promotions?.[0]?.discountPercent === 10;
    }, { timeoutMs: 5_000, everyMs: 10, what: 'the new field through the gateway' });
    await load;

    const health = await servedSupergraph(stack.gatewayUrl);
    console.log(
      `live publish under load: ${clients} clients for ${loadMs} ms sent ${sent} requests, ${succeeded} answered 200 without errors, ${failures.length} failed; ` +
      `publish took ${Math.round(publishedAt - publishStarted)} ms; the new field served ${servedAfterMs} ms after the publish returned ` +
      `(${Math.round(publishedAt - publishStarted) + servedAfterMs} ms after it was sent)`,
    );
    expect(failures).toEqual([]);
    expect(succeeded).toBe(sent);
    expect(sent).toBeGreaterThan(clients * 10);
    expect(servedAfterMs).toBeLessThan(5_000);
    expect(health.id).not.toBe(idBefore);
    expect(health.lastRejection).toBeUndefined();
  });

  it('refuses a publish that breaks composition, with the composition error, and leaves the running gateway as it was', async () => {
    const served = await servedSupergraph(stack.gatewayUrl);
    const history = JSON.parse((await concord('schema', 'history', ...asTeam(), '--json')).stdout) as Array<{ id: number; isCurrent: boolean }>;

    const refused = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', await sdl.file('conflicting', PROMOTIONS_CONFLICTING));
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAILED: check of subgraph "promotions"/);
    expect(refused.stdout).toContain('Composition errors:');
    expect(refused.stdout).toMatch(/\[FIELD_TYPE_MISMATCH\] Type of field "Customer\.name" is incompatible across subgraphs/);
    expect(refused.stdout).toContain('Refused: nothing was published; the current supergraph is unchanged.');

    // Longer than a poll interval: had anything been offered, the gateway would have taken it by now.
    await sleep(1_500);
    const after = await servedSupergraph(stack.gatewayUrl);
    expect(after).toEqual(served);
    const historyAfter = JSON.parse((await concord('schema', 'history', ...asTeam(), '--json')).stdout) as Array<{ id: number; isCurrent: boolean }>;
    expect(historyAfter.find((v) => v.isCurrent)!.id).toBe(history.find((v) => v.isCurrent)!.id);
    const { status, body } = await postGraphQL(stack.gatewayUrl, '{ promotions { code discountPercent } customers(first: 1) { nodes { name } } }', {}, admin());
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.promotions).toHaveLength(2);
    expect(typeof body.data.customers.nodes[0].name).toBe('string');
  });
});
