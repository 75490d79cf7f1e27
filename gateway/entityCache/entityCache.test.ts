import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import type { GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { DEFAULT_ENTITY_CACHE_POLICY } from './cachePolicy.js';
import { EntityCache } from './entityCache.js';
import { MemoryEntityCacheStore } from './entityCacheStore.js';

const CUSTOMERS = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Customer{name primaryEmail}}}';
const ERP_PRODUCT_PRICE = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{listPrice}}}';
const ERP_PRODUCT_STOCK = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{stock{onHand}}}}';
const MDM_PRODUCT_NAME = 'query($representations:[_Any!]!){_entities(representations:$representations){...on Product{name}}}';
const CUSTOMER_ROOT = 'query($id:ID!){customer(id:$id){__typename id name}}';

const customer = (id: string) => ({ __typename: 'Customer', id });

/** A subgraph stand-in that records the representations (or variables) of every call it gets. */
function subgraph(answer: (rep: Record<string, unknown>) => unknown = (rep) => ({ name: `name of ${rep.id ?? rep.sku}` })) {
  const calls: unknown[] = [];
  return {
    calls,
    send: async (variables: Record<string, unknown> | undefined): Promise<GatewayGraphQLResponse> => {
      calls.push(variables?.representations ?? variables);
      const reps = variables?.representations as Array<Record<string, unknown>> | undefined;
      return reps ? { data: { _entities: reps.map(answer) } } : { data: { customer: { __typename: 'Customer', id: variables!.id, name: `name of ${variables!.id}` } } };
    },
  };
}

function change(masterId: string, entity: 'customer' | 'product' = 'customer', eventId = `e-${masterId}-${Math.random()}`): GoldenRecordChanged {
  return { eventId, entity, masterId, kind: 'updated', changedFields: ['name'], relatedMasterIds: [], cause: { kind: 'source' }, occurredAt: new Date().toISOString() };
}

function cacheOf() {
  const registry = new Registry();
  return { cache: new EntityCache(DEFAULT_ENTITY_CACHE_POLICY, new MemoryEntityCacheStore(), { registry }), registry };
}

describe('the entity cache', () => {
  it('asks the subgraph only for the entities it does not hold, and answers in the order asked', async () => {
    const { cache } = cacheOf();
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b')] }, 'p', mdm.send);
    const answer = await cache.fetch('mdm', CUSTOMERS, { representations: [customer('c'), customer('a'), customer('b')] }, 'p', mdm.send);
    expect(mdm.calls).toEqual([[customer('a'), customer('b')], [customer('c')]]);
    expect(answer.data).toEqual({ _entities: [{ name: 'name of c' }, { name: 'name of a' }, { name: 'name of b' }] });
  });

  it('never answers one scope set from entries fetched for another', async () => {
    const { cache } = cacheOf();
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'user:customers:read pii:read', mdm.send);
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'user:customers:read', mdm.send);
    expect(mdm.calls).toEqual([[customer('a')], [customer('a')]]);
  });

  it('caches only the fields its policy names: ERP list prices yes, stock never', async () => {
    const { cache } = cacheOf();
    const erp = subgraph(() => ({ listPrice: 10 }));
    const sku = { __typename: 'Product', sku: 'S-1' };
    await cache.fetch('erp', ERP_PRODUCT_PRICE, { representations: [sku] }, 'p', erp.send);
    await cache.fetch('erp', ERP_PRODUCT_PRICE, { representations: [sku] }, 'p', erp.send);
    await cache.fetch('erp', ERP_PRODUCT_STOCK, { representations: [sku] }, 'p', erp.send);
    await cache.fetch('erp', ERP_PRODUCT_STOCK, { representations: [sku] }, 'p', erp.send);
    expect(erp.calls).toEqual([[sku], [sku], [sku]]);
  });

  it('fetches a record again after its change event, and only that record', async () => {
    const { cache, registry } = cacheOf();
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b')] }, 'p', mdm.send);
    expect(await cache.applyChange(change('a'))).toBe(1);
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b')] }, 'p', mdm.send);
    expect(mdm.calls).toEqual([[customer('a'), customer('b')], [customer('a')]]);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/concord_gateway_entity_cache_lookups_total\{subgraph="mdm",type="Customer",result="hit"\} 1/);
    expect(metrics).toMatch(/concord_gateway_entity_cache_lookups_total\{subgraph="mdm",type="Customer",result="miss"\} 3/);
    expect(metrics).toMatch(/concord_gateway_entity_cache_invalidations_total\{entity="customer",kind="updated"\} 1/);
  });

  it('does not keep an answer that was in flight when a change event was processed', async () => {
    const { cache } = cacheOf();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = async (variables: Record<string, unknown> | undefined): Promise<GatewayGraphQLResponse> => {
      await gate;
      return { data: { _entities: (variables!.representations as unknown[]).map(() => ({ name: 'before the change' })) } };
    };
    const inFlight = cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'p', slow);
    await new Promise((resolve) => setImmediate(resolve));
    await cache.applyChange(change('a'));
    release();
    await inFlight;
    const mdm = subgraph(() => ({ name: 'after the change' }));
    const answer = await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'p', mdm.send);
    expect(answer.data).toEqual({ _entities: [{ name: 'after the change' }] });
  });

  it('puts subgraph errors back at the positions asked and does not cache the failed entities', async () => {
    const { cache } = cacheOf();
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'p', mdm.send);
    const failing = async (variables: Record<string, unknown> | undefined): Promise<GatewayGraphQLResponse> => ({
      data: { _entities: (variables!.representations as unknown[]).map((_, j) => (j === 0 ? null : { name: 'c' })) },
      errors: [{ message: 'boom', path: ['_entities', 0, 'name'] }],
    });
    const answer = await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b'), customer('c')] }, 'p', failing);
    expect(answer.data).toEqual({ _entities: [{ name: 'name of a' }, null, { name: 'c' }] });
    expect(answer.errors).toEqual([{ message: 'boom', path: ['_entities', 1, 'name'] }]);
    const again = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('b'), customer('c')] }, 'p', again.send);
    expect(again.calls).toEqual([[customer('b')]]);
  });

  it('caches a root customer(id) answer under that id, and drops it on its change event', async () => {
    const { cache } = cacheOf();
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMER_ROOT, { id: 'a' }, 'p', mdm.send);
    await cache.fetch('mdm', CUSTOMER_ROOT, { id: 'a' }, 'p', mdm.send);
    await cache.fetch('mdm', CUSTOMER_ROOT, { id: 'b' }, 'p', mdm.send);
    await cache.applyChange(change('a'));
    await cache.fetch('mdm', CUSTOMER_ROOT, { id: 'a' }, 'p', mdm.send);
    await cache.fetch('mdm', CUSTOMER_ROOT, { id: 'b' }, 'p', mdm.send);
    expect(mdm.calls).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'a' }]);
  });

  it('drops products found by SKU only for the SKUs a product change names (before and after)', async () => {
    const { cache } = cacheOf();
    const erp = subgraph(() => ({ listPrice: 10 }));
    const mdm = subgraph();
    const [s1, s2, s3] = ['S-1', 'S-2', 'S-3'].map((sku) => ({ __typename: 'Product', sku }));
    await cache.fetch('erp', ERP_PRODUCT_PRICE, { representations: [s1, s2, s3] }, 'p', erp.send);
    await cache.fetch('mdm', MDM_PRODUCT_NAME, { representations: [s1, s2, s3] }, 'p', mdm.send);
    // prd_1's SKU changed from S-1 to S-2: entries found by either are stale, S-3's are not.
    expect(await cache.applyChange({ ...change('prd_1', 'product'), changedFields: ['sku'], keys: { sku: ['S-1', 'S-2'] } })).toBe(4);
    await cache.fetch('erp', ERP_PRODUCT_PRICE, { representations: [s1, s2, s3] }, 'p', erp.send);
    await cache.fetch('mdm', MDM_PRODUCT_NAME, { representations: [s1, s2, s3] }, 'p', mdm.send);
    expect(erp.calls).toEqual([[s1, s2, s3], [s1, s2]]);
    expect(mdm.calls).toEqual([[s1, s2, s3], [s1, s2]]);
  });

  it('drops every product found by SKU on a product change that names no keys (an older publisher)', async () => {
    const { cache } = cacheOf();
    const erp = subgraph(() => ({ listPrice: 10 }));
    const sku = { __typename: 'Product', sku: 'S-1' };
    await cache.fetch('erp', ERP_PRODUCT_PRICE, { representations: [sku] }, 'p', erp.send);
    await cache.applyChange(change('prd_1', 'product'));
    await cache.fetch('erp', ERP_PRODUCT_PRICE, { representations: [sku] }, 'p', erp.send);
    expect(erp.calls).toEqual([[sku], [sku]]);
  });

  it('empties itself when its change feed reports a gap (NATS reconnected), and follows changes again after', async () => {
    const { cache, registry } = cacheOf();
    const listeners: Array<(c: GoldenRecordChanged) => void> = [];
    const gaps: Array<() => void> = [];
    const feed = {
      subscribe: (l: (c: GoldenRecordChanged) => void) => (listeners.push(l), () => {}),
      onGap: (l: () => void) => (gaps.push(l), () => {}),
      close: async () => {},
    };
    const stop = cache.follow(feed);
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b')] }, 'p', mdm.send);
    for (const gap of gaps) gap();
    await new Promise((resolve) => setImmediate(resolve));
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b')] }, 'p', mdm.send);
    for (const listener of listeners) listener(change('a'));
    await new Promise((resolve) => setImmediate(resolve));
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a'), customer('b')] }, 'p', mdm.send);
    expect(mdm.calls).toEqual([[customer('a'), customer('b')], [customer('a'), customer('b')], [customer('a')]]);
    expect(await registry.metrics()).toMatch(/concord_gateway_entity_cache_invalidations_total\{entity="all",kind="gap"\} 1/);
    stop();
  });

  it('applies a redelivered event once', async () => {
    const { cache } = cacheOf();
    const mdm = subgraph();
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'p', mdm.send);
    expect(await cache.applyChange(change('a', 'customer', 'same'))).toBe(1);
    await cache.fetch('mdm', CUSTOMERS, { representations: [customer('a')] }, 'p', mdm.send);
    expect(await cache.applyChange(change('a', 'customer', 'same'))).toBe(0);
  });
});
