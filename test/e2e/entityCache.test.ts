import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The gateway's entity cache over the real stack (issue 14): golden records
 * and ERP list prices come from the cache until a golden-record change event
 * names them; the next answer after the event is processed is fresh. The
 * events are published on the stack's in-process feed, where the change
 * pipeline publishes them after its MDM transaction commits.
 */
let stack: TestStack;
let admin: Record<string, string>;
let customerId: string;
let product: { id: string; sku: string; listPrice: number };
let otherProducts: Array<{ id: string; sku: string; listPrice: number }>;

const CUSTOMER = 'query Customer($id: ID!) { customer(id: $id) { id name } }';
const PRODUCT = 'query Product($id: ID!) { product(id: $id) { id sku listPrice } }';

function changed(entity: 'customer' | 'product', masterId: string, changedFields: string[]): GoldenRecordChanged {
  return { eventId: randomUUID(), entity, masterId, kind: 'updated', changedFields, relatedMasterIds: [], cause: { kind: 'source', system: 'ERP' }, occurredAt: new Date().toISOString() };
}

function sourceCalls(source: string): number {
  return stack.sourceRequests.filter((r) => r.source === source).length;
}

beforeAll(async () => {
  stack = await startTestStack({ companies: 40 });
  admin = stack.headersFor('demo-admin');
  // A customer with personal data to mask, so the scope check below compares something.
  const customers = await postGraphQL(stack.gatewayUrl, '{ customers(first: 40) { nodes { id taxId primaryEmail } } }', {}, admin);
  customerId = customers.body.data.customers.nodes.find((c: { taxId: string | null; primaryEmail: string | null }) => c.taxId && c.primaryEmail).id;
  const products = await postGraphQL(stack.gatewayUrl, '{ products(first: 20) { nodes { id sku listPrice } } }', {}, admin);
  const priced = products.body.data.products.nodes.filter((p: { listPrice: number | null }) => p.listPrice !== null);
  product = priced[0];
  otherProducts = priced.slice(1, 4);
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the entity cache', () => {
  it('answers a golden customer again without asking the MDM', async () => {
    await postGraphQL(stack.gatewayUrl, CUSTOMER, { id: customerId }, admin);
    stack.resetSourceRequests();
    const again = await postGraphQL(stack.gatewayUrl, CUSTOMER, { id: customerId }, admin);
    expect(again.body.data.customer.id).toBe(customerId);
    expect(sourceCalls('mdm')).toBe(0);
  });

  it('shows a golden record change in the next answer after its event, not before', async () => {
    const before = await postGraphQL(stack.gatewayUrl, CUSTOMER, { id: customerId }, admin);
    const renamed = `${before.body.data.customer.name} (renamed ${Date.now()})`;
    await stack.pool.query(`UPDATE mdm.golden_record SET attributes = jsonb_set(attributes, '{name}', to_jsonb($2::text)), version = version + 1 WHERE master_id = $1`, [customerId, renamed]);

    const stale = await postGraphQL(stack.gatewayUrl, CUSTOMER, { id: customerId }, admin);
    expect(stale.body.data.customer.name).toBe(before.body.data.customer.name);

    stack.goldenChanges.publish(changed('customer', customerId, ['name']));
    const fresh = await postGraphQL(stack.gatewayUrl, CUSTOMER, { id: customerId }, admin);
    expect(fresh.body.data.customer.name).toBe(renamed);
  });

  it('shows an ERP list price change in the next answer after the product event', async () => {
    const first = await postGraphQL(stack.gatewayUrl, PRODUCT, { id: product.id }, admin);
    expect(first.body.data.product.listPrice).toBe(product.listPrice);
    const newPrice = Math.round((product.listPrice + 7.5) * 100) / 100;
    await stack.pool.query(
      `UPDATE erp.product_template SET list_price = $2 WHERE id IN (SELECT product_tmpl_id FROM erp.product_product WHERE default_code = $1)`,
      [product.sku, newPrice],
    );
    stack.resetSourceRequests();
    const cached = await postGraphQL(stack.gatewayUrl, PRODUCT, { id: product.id }, admin);
    expect([cached.body.data.product.listPrice, sourceCalls('erp')]).toEqual([product.listPrice, 0]);

    stack.goldenChanges.publish(changed('product', product.id, ['listPrice']));
    const fresh = await postGraphQL(stack.gatewayUrl, PRODUCT, { id: product.id }, admin);
    expect(fresh.body.data.product.listPrice).toBe(newPrice);
  });

  it('drops only the changed product when the pipeline captures an ERP price change: the next answer after its golden event is fresh, other SKUs stay cached', async () => {
    const [changedProduct, ...others] = otherProducts;
    for (const p of otherProducts) await postGraphQL(stack.gatewayUrl, PRODUCT, { id: p.id }, admin);
    const event = new Promise<GoldenRecordChanged>((resolve) => {
      const stop = stack.goldenChanges.subscribe((change) => {
        if (change.masterId === changedProduct.id && change.changedFields.includes('listPrice')) {
          stop();
          resolve(change);
        }
      });
    });
    const newPrice = Math.round((changedProduct.listPrice + 3.25) * 100) / 100;
    await stack.pool.query(
      `UPDATE erp.product_template SET list_price = $2, write_date = now() WHERE id IN (SELECT product_tmpl_id FROM erp.product_product WHERE default_code = $1)`,
      [changedProduct.sku, newPrice],
    );
    // The pipeline's golden event names the SKU, so the cache drops what was found by it and nothing else.
    const published = await Promise.race([event, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no golden event within 10 s')), 10_000))]);
    expect(published.keys).toEqual({ sku: [changedProduct.sku] });
    const fresh = await postGraphQL(stack.gatewayUrl, PRODUCT, { id: changedProduct.id }, admin);
    expect(fresh.body.data.product.listPrice).toBe(newPrice);
    stack.resetSourceRequests();
    for (const p of others) {
      const answer = await postGraphQL(stack.gatewayUrl, PRODUCT, { id: p.id }, admin);
      expect(answer.body.data.product.listPrice).toBe(p.listPrice);
    }
    expect(sourceCalls('erp')).toBe(0);
  });

  it('keeps callers with other scopes apart: an analyst gets the masked tax id after the admin read it in clear', async () => {
    const query = 'query Tax($id: ID!) { customer(id: $id) { taxId primaryEmail } }';
    const clear = await postGraphQL(stack.gatewayUrl, query, { id: customerId }, admin);
    const analyst = await postGraphQL(stack.gatewayUrl, query, { id: customerId }, stack.headersFor('demo-analyst'));
    const { taxId, primaryEmail } = clear.body.data.customer;
    expect([typeof taxId, typeof primaryEmail]).toEqual(['string', 'string']);
    expect(analyst.body.data.customer.taxId).not.toBe(taxId);
    expect(analyst.body.data.customer.primaryEmail).not.toBe(primaryEmail);
    expect(JSON.stringify(analyst.body.data)).not.toContain(primaryEmail);
  });

  it('counts hits, misses and invalidations in /metrics', async () => {
    const metrics = await (await fetch(new URL('/metrics', stack.gatewayUrl))).text();
    expect(metrics).toMatch(/concord_gateway_entity_cache_lookups_total\{subgraph="mdm",type="Query\.customer",result="hit"\} [1-9]/);
    expect(metrics).toMatch(/concord_gateway_entity_cache_lookups_total\{subgraph="erp",type="Product",result="hit"\} [1-9]/);
    expect(metrics).toMatch(/concord_gateway_entity_cache_invalidations_total\{entity="customer",kind="updated"\} 1/);
  });
});
