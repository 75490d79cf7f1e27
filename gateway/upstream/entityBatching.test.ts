import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EntityFetchBatcher, splitEntities } from './entityBatching.js';
import { isEntityFetch } from './failedFetch.js';

type Rep = { __typename: 'Customer'; id: string };
const rep = (id: string): Rep => ({ __typename: 'Customer', id });
const failed = (part: unknown[], message: string) => part.map((_, i) => ({ message, path: ['_entities', i, 'orders'] }));

/** A subgraph stand-in the test releases by hand: each call waits until `release()`. */
function heldSubgraph(answer: (reps: Rep[]) => GatewayGraphQLResponse = (reps) => ({ data: { _entities: reps.map((r) => ({ id: r.id })) } })) {
  const calls: { reps: Rep[]; deadline: number | undefined; release: () => void }[] = [];
  const send = (reps: unknown[], deadline: number | undefined) =>
    new Promise<GatewayGraphQLResponse>((resolve) => calls.push({ reps: reps as Rep[], deadline, release: () => resolve(answer(reps as Rep[])) }));
  return { calls, send };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('merging concurrent entity fetches', () => {
  it('sends at once below the in-flight limit, then merges what waits and hands each caller its own entities', async () => {
    const merged: number[] = [];
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 }, (n) => merged.push(n));
    const subgraph = heldSubgraph();
    const first = batcher.fetch('k', [rep('1')], undefined, subgraph.send, failed);
    const second = batcher.fetch('k', [rep('2'), rep('3')], undefined, subgraph.send, failed);
    const third = batcher.fetch('k', [rep('4')], undefined, subgraph.send, failed);
    await tick();
    expect(subgraph.calls.map((c) => c.reps.map((r) => r.id))).toEqual([['1']]);
    subgraph.calls[0].release();
    expect(await first).toEqual({ data: { _entities: [{ id: '1' }] } });
    await tick();
    expect(subgraph.calls.map((c) => c.reps.map((r) => r.id))).toEqual([['1'], ['2', '3', '4']]);
    subgraph.calls[1].release();
    expect(await second).toEqual({ data: { _entities: [{ id: '2' }, { id: '3' }] } });
    expect(await third).toEqual({ data: { _entities: [{ id: '4' }] } });
    expect(merged).toEqual([2]);
  });

  it('sends an entity several waiting callers ask for once, and gives each its own copy', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph();
    const first = batcher.fetch('k', [rep('1')], undefined, subgraph.send, failed);
    const a = batcher.fetch('k', [rep('2'), rep('3')], undefined, subgraph.send, failed);
    const b = batcher.fetch('k', [rep('3'), rep('2')], undefined, subgraph.send, failed);
    await tick();
    subgraph.calls[0].release();
    await first;
    await tick();
    expect(subgraph.calls[1].reps.map((r) => r.id)).toEqual(['2', '3']);
    subgraph.calls[1].release();
    const [answerA, answerB] = await Promise.all([a, b]);
    expect(answerA.data).toEqual({ _entities: [{ id: '2' }, { id: '3' }] });
    expect(answerB.data).toEqual({ _entities: [{ id: '3' }, { id: '2' }] });
    expect((answerB.data as any)._entities[1]).not.toBe((answerA.data as any)._entities[0]);
  });

  it('never merges different keys (another fetch, other variables or another caller’s headers)', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph();
    const answers = [batcher.fetch('alice', [rep('1')], undefined, subgraph.send, failed), batcher.fetch('bob', [rep('2')], undefined, subgraph.send, failed)];
    await tick();
    expect(subgraph.calls).toHaveLength(2);
    subgraph.calls.forEach((c) => c.release());
    expect((await Promise.all(answers)).map((a) => (a.data as any)._entities)).toEqual([[{ id: '1' }], [{ id: '2' }]]);
  });

  it('keeps a merged call under maxRepresentations (a caller larger than the cap still goes, alone)', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 3, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph();
    const all = [
      batcher.fetch('k', [rep('a')], undefined, subgraph.send, failed),
      batcher.fetch('k', [rep('b'), rep('c')], undefined, subgraph.send, failed),
      batcher.fetch('k', [rep('d')], undefined, subgraph.send, failed),
      batcher.fetch('k', [rep('e'), rep('f'), rep('g'), rep('h')], undefined, subgraph.send, failed),
    ];
    for (let i = 0; i < 3; i++) {
      await tick();
      subgraph.calls[i].release();
      await tick();
    }
    await Promise.all(all);
    expect(subgraph.calls.map((c) => c.reps.map((r) => r.id).join(''))).toEqual(['a', 'bcd', 'efgh']);
  });

  it('sends the merged call with the latest deadline; a caller whose deadline comes first gets the coded timeout then, the others their entities', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph();
    const now = Date.now();
    const first = batcher.fetch('k', [rep('1')], now + 60_000, subgraph.send, failed);
    const late = batcher.fetch('k', [rep('2')], now + 50_000, subgraph.send, failed);
    const soon = batcher.fetch('k', [rep('3')], now + 150, subgraph.send, failed);
    await tick();
    subgraph.calls[0].release();
    await first;
    await tick();
    expect(subgraph.calls[1].reps.map((r) => r.id)).toEqual(['2', '3']);
    expect(subgraph.calls[1].deadline).toBe(now + 50_000);
    const timedOut = await soon;
    expect(Date.now() - now).toBeGreaterThanOrEqual(140);
    expect(timedOut.data).toBeUndefined();
    expect(timedOut.errors?.[0]).toMatchObject({ path: ['_entities', 0, 'orders'], message: expect.stringContaining('Subgraph "crm" did not answer within') });
    subgraph.calls[1].release();
    expect((await late).data).toEqual({ _entities: [{ id: '2' }] });
  });

  it('an answer whose errors are not a list fails each caller of the merged call with errors, and the batcher goes on', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph((reps) => (reps.length > 1 ? ({ errors: { message: 'rate limited' } } as unknown as GatewayGraphQLResponse) : { data: { _entities: reps.map((r) => ({ id: r.id })) } }));
    const first = batcher.fetch('k', [rep('1')], undefined, subgraph.send, failed);
    const a = batcher.fetch('k', [rep('2')], undefined, subgraph.send, failed);
    const b = batcher.fetch('k', [rep('3')], undefined, subgraph.send, failed);
    await tick();
    subgraph.calls[0].release();
    await first;
    await tick();
    subgraph.calls[1].release();
    for (const answer of [await a, await b]) {
      expect(answer.data).toBeUndefined();
      expect(answer.errors).toEqual([{ message: expect.stringContaining('malformed GraphQL response'), path: ['_entities', 0, 'orders'] }]);
    }
    const after = batcher.fetch('k', [rep('4')], undefined, subgraph.send, failed);
    await tick();
    subgraph.calls[2].release();
    expect((await after).data).toEqual({ _entities: [{ id: '4' }] });
  });

  it('an entity several callers of a merged call share is a deep copy for each (the gateway merges later fetches into it)', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph((reps) => ({ data: { _entities: reps.map((r) => ({ id: r.id, orders: [{ product: { sku: `P-${r.id}` } }] })) } }));
    const first = batcher.fetch('k', [rep('0')], undefined, subgraph.send, failed);
    const a = batcher.fetch('k', [rep('7')], undefined, subgraph.send, failed);
    const b = batcher.fetch('k', [rep('7')], undefined, subgraph.send, failed);
    await tick();
    subgraph.calls[0].release();
    await first;
    await tick();
    expect(subgraph.calls[1].reps.map((r) => r.id)).toEqual(['7']);
    subgraph.calls[1].release();
    const [x, y] = [(await a).data as any, (await b).data as any];
    expect(y).toEqual(x);
    expect(y._entities[0].orders[0].product).not.toBe(x._entities[0].orders[0].product);
    x._entities[0].orders[0].product.price = 10;
    expect(y._entities[0].orders[0].product.price).toBeUndefined();
  });

  it('a caller waiting behind a hung call leaves the queue before its deadline and is answered on its own', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    const subgraph = heldSubgraph();
    void batcher.fetch('k', [rep('hung')], undefined, subgraph.send, failed);
    const started = Date.now();
    const waiting = batcher.fetch('k', [rep('2')], started + 80, subgraph.send, failed);
    await new Promise((resolve) => setTimeout(resolve, 120));
    // It was sent by itself (the hung call still holds the only in-flight place), with its own deadline.
    expect(subgraph.calls.map((c) => c.reps.map((r) => r.id))).toEqual([['hung'], ['2']]);
    expect(subgraph.calls[1].deadline).toBe(started + 80);
    subgraph.calls[1].release();
    expect(await waiting).toEqual({ data: { _entities: [{ id: '2' }] } });
    subgraph.calls[0].release();
  });

  it('what waits behind a hung call goes anyway after maxWaitMs, merged; a caller about to run out of time goes alone', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 40, lingerMs: 0 });
    const subgraph = heldSubgraph();
    void batcher.fetch('k', [rep('hung')], undefined, subgraph.send, failed);
    const now = Date.now();
    const a = batcher.fetch('k', [rep('2')], now + 10_000, subgraph.send, failed);
    const b = batcher.fetch('k', [rep('3')], now + 9_000, subgraph.send, failed);
    // Its deadline comes before the flush: it leaves the queue by itself, before the others go.
    const short = batcher.fetch('k', [rep('4')], now + 50, subgraph.send, failed);
    await new Promise((resolve) => setTimeout(resolve, 70));
    expect(subgraph.calls.map((c) => c.reps.map((r) => r.id))).toEqual([['hung'], ['4'], ['2', '3']]);
    expect(subgraph.calls[1].deadline).toBe(now + 50);
    expect(subgraph.calls[2].deadline).toBe(now + 10_000);
    subgraph.calls.slice(1).forEach((c) => c.release());
    expect((await a).data).toEqual({ _entities: [{ id: '2' }] });
    expect((await b).data).toEqual({ _entities: [{ id: '3' }] });
    expect((await short).data).toEqual({ _entities: [{ id: '4' }] });
    subgraph.calls[0].release();
  });

  it('a send that throws answers every caller of the merged call with path-carrying errors', async () => {
    const batcher = new EntityFetchBatcher('crm', { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000, lingerMs: 0 });
    let n = 0;
    let releaseFirst!: () => void;
    const send = (reps: unknown[]) => {
      n++;
      if (n === 1) return new Promise<GatewayGraphQLResponse>((resolve) => { releaseFirst = () => resolve({ data: { _entities: [{ id: 'x' }] } }); });
      return Promise.reject(new Error('socket closed'));
    };
    const first = batcher.fetch('k', [rep('x')], undefined, send, failed);
    const a = batcher.fetch('k', [rep('1')], undefined, send, failed);
    const b = batcher.fetch('k', [rep('2'), rep('3')], undefined, send, failed);
    await tick();
    releaseFirst();
    await first;
    expect(await a).toEqual({ errors: [{ message: 'Error: socket closed', path: ['_entities', 0, 'orders'] }] });
    expect((await b).errors?.map((e) => e.path)).toEqual([['_entities', 0, 'orders'], ['_entities', 1, 'orders']]);
  });
});

describe('cutting a merged answer back into each caller’s', () => {
  const parts = [[rep('1'), rep('2')], [rep('3')], [rep('4'), rep('5')]];

  it('gives each its slice and the errors about its positions, renumbered; errors without a position go to all', () => {
    const answers = splitEntities(
      {
        data: { _entities: [{ id: '1' }, { id: '2' }, { id: '3' }, null, { id: '5' }] },
        errors: [
          { message: 'no such customer', path: ['_entities', 3], extensions: { code: 'NOT_FOUND' } },
          { message: 'CRM slow', path: ['_entities', 1, 'deals'], extensions: { code: 'CRM_UNAVAILABLE' } },
          { message: 'partial answer' },
        ],
        extensions: { cost: 3 },
      },
      parts,
      failed,
    );
    expect(answers[0]).toEqual({
      data: { _entities: [{ id: '1' }, { id: '2' }] },
      errors: [{ message: 'CRM slow', path: ['_entities', 1, 'deals'], extensions: { code: 'CRM_UNAVAILABLE' } }, { message: 'partial answer' }],
      extensions: { cost: 3 },
    });
    expect(answers[1]).toEqual({ data: { _entities: [{ id: '3' }] }, errors: [{ message: 'partial answer' }], extensions: { cost: 3 } });
    expect(answers[2]).toEqual({
      data: { _entities: [null, { id: '5' }] },
      errors: [{ message: 'no such customer', path: ['_entities', 0], extensions: { code: 'NOT_FOUND' } }, { message: 'partial answer' }],
      extensions: { cost: 3 },
    });
  });

  it('a failed answer reaches every caller as errors for its own positions, even past the ones the failure listed', () => {
    const answers = splitEntities(
      { errors: [{ message: 'Subgraph "erp" did not answer within 100 ms', path: ['_entities', 0, 'orders'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout' } }] },
      parts,
      (part, message, extensions) => part.map((_, i) => ({ message, path: ['_entities', i, 'orders'], extensions })),
    );
    expect(answers[0].data).toBeUndefined();
    expect(answers[0].errors).toEqual([{ message: 'Subgraph "erp" did not answer within 100 ms', path: ['_entities', 0, 'orders'], extensions: { code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout' } }]);
    for (const answer of answers.slice(1)) {
      expect(answer.errors).toHaveLength(answer === answers[1] ? 1 : 2);
      expect(answer.errors!.every((e) => e.extensions?.code === 'SUBGRAPH_UNAVAILABLE' && e.path?.[0] === '_entities')).toBe(true);
    }
  });
});

describe('which fetches may merge', () => {
  it("only a query plan's entity fetch: never a root field whose variable happens to be called representations", () => {
    expect(isEntityFetch('query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{contacts{name}}}}')).toBe(true);
    expect(isEntityFetch('query Q__crm__1($representations:[_Any!]!){_entities(representations:$representations){__typename ...on Customer{id}}}')).toBe(true);
    expect(isEntityFetch('query($representations:[ID!]){products(ids:$representations){sku}}')).toBe(false);
    expect(isEntityFetch('query($representations:[_Any!]!){_entities(representations:$representations){__typename} other{id}}')).toBe(false);
    expect(isEntityFetch('query($r:[_Any!]!){_entities(representations:$r){__typename}}')).toBe(false);
    expect(isEntityFetch('mutation($representations:[_Any!]!){_entities(representations:$representations){__typename}}')).toBe(false);
    expect(isEntityFetch('not graphql {')).toBe(false);
  });
});

/** A subgraph stand-in that answers every call `ms` after it was sent, and keeps who was in each call. */
function timedSubgraph(ms: number) {
  const calls: string[][] = [];
  const sentAt: number[] = [];
  const send = (reps: unknown[]) => {
    calls.push((reps as Rep[]).map((r) => r.id));
    sentAt.push(performance.now());
    return new Promise<GatewayGraphQLResponse>((resolve) => setTimeout(() => resolve({ data: { _entities: (reps as Rep[]).map((r) => ({ id: r.id })) } }), ms));
  };
  return { calls, sentAt, send };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Clients that send their next fetch 1 ms after their last was answered, as
 * a service at its concurrency limit does: `rounds` fetches each; a client
 * listed in `leaveAfter` stops after that many; `comeBackAfter` gives another
 * pause for a client after a round.
 */
async function clientsInRounds(
  batcher: EntityFetchBatcher,
  send: (reps: unknown[]) => Promise<GatewayGraphQLResponse>,
  clients: number,
  rounds: number,
  leaveAfter: Record<number, number> = {},
  comeBackAfter: (client: number, round: number) => number = () => 1,
) {
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; i < (leaveAfter[c] ?? rounds); i++) {
      const answer = await batcher.fetch('k', [rep(`c${c}`)], undefined, send, failed);
      expect(answer.data).toEqual({ _entities: [{ id: `c${c}` }] });
      await sleep(comeBackAfter(c, i));
    }
  }));
}

describe('holding a merged call back for callers coming back in rounds (ADR 0021)', () => {
  const options = { maxInFlight: 1, maxRepresentations: 100, maxWaitMs: 60_000 };
  // A fake clock: arrivals and answers come exactly when the test says, however busy the machine running it.
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'performance', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  /** Runs `work` on the fake clock to its end. */
  async function onFakeClock<T>(work: Promise<T>): Promise<T> {
    let done = false;
    void work.finally(() => (done = true));
    while (!done) await vi.advanceTimersByTimeAsync(1);
    return work;
  }

  it('without it, four clients coming back together split into a call of one and a call of three for good; with it, after two rounds they go as one call of four', async () => {
    const without = timedSubgraph(20);
    await onFakeClock(clientsInRounds(new EntityFetchBatcher('crm', { ...options, lingerMs: 0 }), without.send, 4, 8));
    expect(without.calls.slice(-4).map((c) => c.length).sort()).toEqual([1, 1, 3, 3]);

    const outcomes: string[] = [];
    const subgraph = timedSubgraph(20);
    await onFakeClock(clientsInRounds(new EntityFetchBatcher('crm', { ...options, lingerMs: 10 }, undefined, (o) => outcomes.push(o)), subgraph.send, 4, 8));
    // The last call may carry fewer: the clients that started in the first split end a round apart.
    expect(subgraph.calls.slice(-4, -1).map((c) => c.length)).toEqual([4, 4, 4]);
    // Fewer calls for the same 32 fetches, and every hold filled but perhaps the last (the clients ending a round apart).
    expect(subgraph.calls.length).toBeLessThan(without.calls.length);
    expect(outcomes.filter((o) => o === 'filled').length).toBeGreaterThanOrEqual(3);
    expect(outcomes.slice(0, -1).every((o) => o === 'filled')).toBe(true);
  });

  it("counts the hold from the round's first fetch, so callers whose operations wait on a slower subgraph's call still go as one call", async () => {
    // Each client's operation fetches from the ERP (15 ms calls) and the CRM (40 ms) at once and sends its next
    // operation 1 ms after both answered: the ERP's callers come back 26 ms after its own call returned, past a
    // window counted from that return (15 ms), within two calls of it.
    const outcomes: string[] = [];
    const erp = timedSubgraph(15);
    const crm = timedSubgraph(40);
    const erpBatcher = new EntityFetchBatcher('erp', { ...options, lingerMs: 20 }, undefined, (o) => outcomes.push(o));
    const crmBatcher = new EntityFetchBatcher('crm', { ...options, lingerMs: 20 });
    await onFakeClock(Promise.all(Array.from({ length: 4 }, async (_, c) => {
      for (let i = 0; i < 16; i++) {
        const [fromErp, fromCrm] = await Promise.all([
          erpBatcher.fetch('k', [rep(`c${c}`)], undefined, erp.send, failed),
          crmBatcher.fetch('k', [rep(`c${c}`)], undefined, crm.send, failed),
        ]);
        expect(fromErp.data).toEqual({ _entities: [{ id: `c${c}` }] });
        expect(fromCrm.data).toEqual({ _entities: [{ id: `c${c}` }] });
        await sleep(1);
      }
    })));
    // Counted from the ERP's return, the first client back went alone and the other three waited a call for it,
    // for good (calls of 1 and 3 to the end); counted from the first arrival, once the CRM's calls carry all four
    // the ERP's do too (the last call carries those left after a client that started a round late ended).
    expect(erp.calls.slice(-5, -1).map((c) => c.length)).toEqual([4, 4, 4, 4]);
    expect(outcomes.filter((o) => o === 'filled').length).toBeGreaterThanOrEqual(8);
  });

  it('holds only a round that starts within two calls of the last return: a fetch arriving later on a key with rounds goes at once', async () => {
    const outcomes: string[] = [];
    const batcher = new EntityFetchBatcher('crm', { ...options, lingerMs: 10 }, undefined, (o) => outcomes.push(o));
    const subgraph = timedSubgraph(20);
    await onFakeClock(clientsInRounds(batcher, subgraph.send, 4, 6));
    const holds = outcomes.length;
    expect(holds).toBeGreaterThan(0);
    await vi.advanceTimersByTimeAsync(50);
    const calls = subgraph.calls.length;
    const late = batcher.fetch('k', [rep('late')], undefined, subgraph.send, failed);
    await vi.advanceTimersByTimeAsync(0);
    expect(subgraph.calls).toHaveLength(calls + 1);
    expect(subgraph.calls.at(-1)).toEqual(['late']);
    await onFakeClock(late);
    expect(outcomes).toHaveLength(holds);
  });

  it('never holds back callers that arrive evenly and do not come back', async () => {
    const outcomes: string[] = [];
    const batcher = new EntityFetchBatcher('crm', { ...options, lingerMs: 10 }, undefined, (o) => outcomes.push(o));
    const subgraph = timedSubgraph(20);
    await onFakeClock((async () => {
      const answers: Promise<GatewayGraphQLResponse>[] = [];
      for (let i = 0; i < 60; i++) {
        answers.push(batcher.fetch('k', [rep(`u${i}`)], undefined, subgraph.send, failed));
        await sleep(4);
      }
      await Promise.all(answers);
    })());
    // Calls of several callers each (merging works), yet no round was ever seen: nothing was held back.
    expect(Math.max(...subgraph.calls.map((c) => c.length))).toBeGreaterThanOrEqual(3);
    expect(outcomes).toEqual([]);
  });

  it('a hold is not cut while its callers are still arriving: a round delayed and spread by a pause past the window still goes as one call', async () => {
    const outcomes: string[] = [];
    const batcher = new EntityFetchBatcher('crm', { ...options, lingerMs: 10 }, undefined, (o) => outcomes.push(o));
    const subgraph = timedSubgraph(20);
    // After their fourth answer the eight clients come back 2 ms apart, as behind a pause of the gateway:
    // the last 15 ms after the first, past the 10 ms window counted from the first. Cut at the window, the
    // round went as a call of six and the last two waited a whole call for it.
    await onFakeClock(clientsInRounds(batcher, subgraph.send, 8, 10, {}, (c, round) => (round === 3 ? 1 + 2 * c : 1)));
    const sizes = subgraph.calls.map((c) => c.length);
    // The spread round's call: the first to leave later than a call and the clients' 1 ms after the one before.
    const spread = subgraph.calls.findIndex((_, i) => i > 0 && subgraph.sentAt[i] - subgraph.sentAt[i - 1] > 20 + 1 + 2);
    expect(spread).toBeGreaterThan(0);
    // The last call may carry fewer: the clients that started in the first split end a round apart.
    expect(sizes.slice(spread, -1)).toEqual(Array(sizes.length - 1 - spread).fill(8));
    expect(outcomes.slice(0, -1)).not.toContain('ran-out');
    // It waited for the spread round (15 ms after its first fetch), within a second window (20 ms).
    expect(subgraph.sentAt[spread] - subgraph.sentAt[spread - 1]).toBeLessThanOrEqual(20 + 1 + 2 * 10);
  });

  it('a hold whose callers do not all come back runs out within half a call and sends those that came', async () => {
    const outcomes: string[] = [];
    const batcher = new EntityFetchBatcher('crm', { ...options, lingerMs: 10 }, undefined, (outcome) => outcomes.push(outcome));
    const subgraph = timedSubgraph(20);
    // Client 3 leaves after six fetches, when the others are held for it; they go on for four more.
    await onFakeClock(clientsInRounds(batcher, subgraph.send, 4, 10, { 3: 6 }));
    expect(outcomes).toContain('filled');
    expect(outcomes).toContain('ran-out');
    const lastOfClient3 = subgraph.calls.map((c) => c.includes('c3')).lastIndexOf(true);
    const after = subgraph.calls.slice(lastOfClient3 + 1);
    expect(after.length).toBeGreaterThanOrEqual(3);
    expect(after.flat().every((id) => id !== 'c3')).toBe(true);
    // No call waited for client 3 longer than the hold (10 ms), none for maxWaitMs (60 s): each call left at
    // most one call (20 ms), the hold and the clients' 1 ms (and a timer's 1 ms) after the one before.
    const gaps = subgraph.sentAt.slice(lastOfClient3 + 1).map((t, i) => t - subgraph.sentAt[lastOfClient3 + i]);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(20 + 10 + 1 + 1);
  });
});
