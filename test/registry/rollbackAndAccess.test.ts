import { readFile, stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningGateway } from '../../gateway/server.js';
import type { RunningSubgraph } from '../../platform/index.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import {
  MARKETING_TOKEN, PROMOTIONS_V1, PROMOTIONS_V2, REGISTRY_ENV,
  concord, sdlFolder, servedSupergraph, startPromotionsSubgraph, waitUntil,
} from './registryFixtures.js';

/**
 * Issue 5: the embedded stack runs the registry with its own tokens; a
 * rollback restores the previous supergraph on every running gateway; a
 * team's token cannot publish another team's subgraph and an unknown token
 * gets 401.
 */
describe('the embedded registry: start-up, rollback on every gateway, and access', () => {
  let stack: TestStack;
  let promotions: RunningSubgraph;
  let replica: RunningGateway;
  let sdl: Awaited<ReturnType<typeof sdlFolder>>;
  const asTeam = () => ['--registry', stack.registry!.url, '--token', MARKETING_TOKEN];

  beforeAll(async () => {
    stack = await startTestStack({ companies: 40, registry: true, env: REGISTRY_ENV });
    sdl = await sdlFolder();
    // The deployed subgraph already serves v2's field; which SDL is published decides what the graph offers.
    promotions = await startPromotionsSubgraph(PROMOTIONS_V2, stack.gatewayProofKey);
  });

  afterAll(async () => {
    await stack?.stop();
    await promotions?.close();
    await sdl?.remove();
  });

  it('publishes erp, crm, mdm and quality at start, each owned by its team, and writes the tokens for the operator only', async () => {
    const registry = stack.registry!;
    expect(registry.published).toEqual({ mdm: 'published', erp: 'published', crm: 'published', quality: 'published' });
    const list = JSON.parse((await concord('schema', 'list', '--registry', registry.url, '--token', registry.tokens.admin, '--json')).stdout) as Array<{ name: string; ownerTeam: string; routingUrl: string }>;
    expect(list.map((s) => [s.name, s.ownerTeam, s.routingUrl]).sort()).toEqual([
      ['crm', 'crm', stack.urls.crm], ['erp', 'erp', stack.urls.erp], ['mdm', 'mdm', stack.urls.mdm], ['quality', 'quality', stack.urls.quality],
    ]);
    expect((await stat(registry.tokensFile!)).mode & 0o777).toBe(0o600);
    const file = JSON.parse(await readFile(registry.tokensFile!, 'utf8'));
    expect(file).toMatchObject({ registryUrl: registry.url, admin: registry.tokens.admin, gateway: registry.tokens.gateway });
    expect(Object.keys(file.teams).sort()).toEqual(['crm', 'erp', 'marketing', 'mdm', 'quality']);
    expect(file.teams.marketing).toBe(MARKETING_TOKEN);
    expect(file.gatewayProofSecret).toEqual(expect.any(String));
  });

  it('restores the previous supergraph on every running gateway when a version is rolled back', async () => {
    const published = async (name: string, text: string) => {
      const result = await concord('schema', 'publish', ...asTeam(), '--subgraph', 'promotions', '--schema', await sdl.file(name, text), '--routing-url', promotions.url, '--json');
      expect(result.code, result.stdout + result.stderr).toBe(0);
      return JSON.parse(result.stdout) as { supergraphVersionId: number };
    };
    const discountOn = async (gatewayUrl: string) => {
      const { status, body } = await postGraphQL(gatewayUrl, '{ promotions { code discountPercent } }', {}, stack.headersFor('demo-analyst'));
      return status === 200 && body.data?.promotions?.[0]?.discountPercent === 10;
    };
    const noDiscountField = async (gatewayUrl: string) => {
      const { status, body } = await postGraphQL(gatewayUrl, '{ promotions { code discountPercent } }', {}, stack.headersFor('demo-analyst'));
      return status === 400 && /Cannot query field "discountPercent" on type "Promotion"/.test(body.errors?.[0]?.message ?? '');
    };

    const v1 = await published('v1', PROMOTIONS_V1);
    replica = await stack.registry!.startGatewayReplica();
    const gateways = [stack.gatewayUrl, replica.url];
    let v1Id = '';
    await waitUntil(async () => {
      const ids = await Promise.all(gateways.map(async (url) => (await servedSupergraph(url)).id));
      v1Id = ids[0];
      return ids.every((id) => id === ids[0]) && (await Promise.all(gateways.map(noDiscountField))).every(Boolean)
        && (await postGraphQL(stack.gatewayUrl, '{ promotions { code } }', {}, stack.headersFor('demo-analyst'))).body.data?.promotions?.length === 2;
    }, { what: 'both gateways to serve promotions v1' });

    await published('v2', PROMOTIONS_V2);
    for (const url of gateways) await waitUntil(() => discountOn(url), { timeoutMs: 5_000, what: `v2 on ${url}` });
    expect((await servedSupergraph(stack.gatewayUrl)).id).not.toBe(v1Id);

    const rolledBack = await concord('schema', 'rollback', ...asTeam(), '--to', String(v1.supergraphVersionId));
    expect(rolledBack.code, rolledBack.stdout + rolledBack.stderr).toBe(0);
    expect(rolledBack.stdout).toContain(`Rolled back to supergraph version ${v1.supergraphVersionId}`);
    const latencies = await Promise.all(gateways.map((url) => waitUntil(async () => (await servedSupergraph(url)).id === v1Id, { timeoutMs: 5_000, everyMs: 10, what: `v1 again on ${url}` })));
    console.log(`rollback: both gateways serve supergraph v${v1.supergraphVersionId} again after ${latencies.join(' ms and ')} ms`);
    for (const url of gateways) {
      expect(await noDiscountField(url)).toBe(true);
      expect((await servedSupergraph(url)).lastRejection).toBeUndefined();
    }
  });

  it("refuses a team's token for another team's subgraph (403) and an unknown token (401)", async () => {
    const registry = stack.registry!;
    const erpVersions = await fetch(`${registry.url}/v1/subgraphs/erp/versions?limit=1`, { headers: { authorization: `Bearer ${registry.tokens.teams.erp}` } });
    const erpSdl = ((await erpVersions.json()) as { versions: Array<{ sdl: string }> }).versions[0].sdl;
    const publish = (token: string, subgraph: string) => fetch(`${registry.url}/v1/publish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subgraph, sdl: erpSdl }),
    });

    const foreign = await publish(registry.tokens.teams.crm, 'erp');
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toEqual({ error: { code: 'FORBIDDEN', message: `subgraph "erp" belongs to team "erp"; the token is team "crm"'s` } });
    const marketing = await publish(MARKETING_TOKEN, 'erp');
    expect(marketing.status).toBe(403);

    const unknown = await publish('not-a-registry-token', 'erp');
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toContain('Bearer');
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('UNAUTHENTICATED');
    expect((await fetch(`${registry.url}/supergraph`)).status).toBe(401);

    // The owning team's token is accepted (same SDL and URL: nothing new to store).
    const own = await publish(registry.tokens.teams.erp, 'erp');
    expect(own.status).toBe(200);
    expect(await own.json()).toMatchObject({ published: false, unchanged: true });
    // The CLI exits 2 on a refused credential, so CI tells it from failed checks (1).
    const cli = await concord('schema', 'publish', '--registry', registry.url, '--token', registry.tokens.teams.crm, '--subgraph', 'erp', '--schema', await sdl.file('erp', erpSdl));
    expect(cli).toMatchObject({ code: 2, stderr: expect.stringContaining('error [FORBIDDEN]') });
  });
});
