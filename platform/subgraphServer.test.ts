import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { BUDGET_HEADER, remainingBudgetMs } from './deadline/index.js';
import { startSubgraphServer, type RunningSubgraph } from './subgraphServer.js';

/** A subgraph whose one field waits until released, and tells the budget it ran with. */
function slowSchema(gate: { wait: Promise<void> }) {
  return buildSubgraphSchema({
    typeDefs: parse(`type Query { slow: Int budget: Int }`),
    resolvers: {
      Query: {
        slow: async () => {
          await gate.wait;
          return 1;
        },
        budget: () => Math.round(remainingBudgetMs() ?? -1),
      },
    },
  });
}

const post = (url: string, query: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query }) });

describe('startSubgraphServer', () => {
  let running: RunningSubgraph | undefined;
  afterEach(async () => {
    await running?.close();
  });

  it('sheds a request over the in-flight cap at once with 503, Retry-After and SUBGRAPH_OVERLOADED', async () => {
    let release!: () => void;
    const gate = { wait: new Promise<void>((resolve) => (release = resolve)) };
    running = await startSubgraphServer({
      name: 'test', schema: slowSchema(gate), port: 0, host: '127.0.0.1', gatewayProofKey: false, createContext: () => ({}), maxInFlight: 2,
    });
    const held = [post(running.url, '{ slow }'), post(running.url, '{ slow }')];
    await new Promise((resolve) => setTimeout(resolve, 100));
    const started = performance.now();
    const shed = await post(running.url, '{ slow }');
    expect(performance.now() - started).toBeLessThan(200);
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('1');
    expect(((await shed.json()) as any).errors[0].extensions.code).toBe('SUBGRAPH_OVERLOADED');
    release();
    for (const response of await Promise.all(held)) expect(response.status).toBe(200);
    const metrics = await (await fetch(running.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/concord_requests_shed_total\{service="subgraph-test"\} 1/);
  });

  it('runs each request within the budget the gateway sent, capped by its own maximum', async () => {
    running = await startSubgraphServer({
      name: 'test', schema: slowSchema({ wait: Promise.resolve() }), port: 0, host: '127.0.0.1', gatewayProofKey: false, createContext: () => ({}),
      defaultBudgetMs: 7_000, maxBudgetMs: 20_000,
    });
    const budgetOf = async (headers: Record<string, string>) => ((await (await post(running!.url, '{ budget }', headers)).json()) as any).data.budget as number;
    expect(await budgetOf({ [BUDGET_HEADER]: '1200' })).toBeGreaterThan(1_000);
    expect(await budgetOf({ [BUDGET_HEADER]: '1200' })).toBeLessThanOrEqual(1_200);
    expect(await budgetOf({})).toBeGreaterThan(6_500);
    expect(await budgetOf({ [BUDGET_HEADER]: '999999' })).toBeLessThanOrEqual(20_000);
  });
});
