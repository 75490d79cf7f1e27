import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * One query over many customers, with orders, order lines, products and
 * stock, contacts and deals: the source round trips behind it must be one per
 * entity type per level of the query plan, whatever the list sizes. CRM batch
 * reads are chunked at HubSpot's 100 inputs, so only they may grow, by
 * ceil(objects / 100) — never by customer.
 */
const overview = /* GraphQL */ `
  query Overview($first: Int!) {
    customers(first: $first) {
      nodes {
        id
        name
        orders(last: 5) { number lines { quantity product { sku name stock { onHand } } } }
        contacts { name email }
        deals { name stage }
      }
    }
  }
`;

describe('batched source access (embedded PGlite)', () => {
  let stack: TestStack;

  beforeAll(async () => {
    // 50 customers × orders × lines × stock is ~180k of estimated cost, over the gateway's default
    // Runs under the shipped limits: a 50-customer page is a screen we serve.
    stack = await startTestStack({ companies: 120 });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  async function roundTripsFor(first: number) {
    stack.resetSourceRequests();
    stack.crmSandbox.resetRequestLog();
    const { body } = await postGraphQL(stack.gatewayUrl, overview, { first }, stack.headersFor('demo-admin'));
    expect(body.errors).toBeUndefined();
    const nodes = body.data.customers.nodes as any[];
    expect(nodes.length).toBe(first);
    const byOperation = new Map<string, number>();
    for (const event of stack.sourceRequests) {
      const key = `${event.source} ${event.operation}`;
      byOperation.set(key, (byOperation.get(key) ?? 0) + 1);
    }
    const count = (predicate: (n: any) => any[]) => nodes.flatMap(predicate).length;
    return {
      nodes,
      byOperation: Object.fromEntries([...byOperation].sort()),
      sqlStatements: stack.sourceRequests.filter((e) => e.source !== 'crm').length,
      crmHttpRequests: stack.crmSandbox.requests.length,
      contacts: count((n) => n.contacts ?? []),
      deals: count((n) => n.deals ?? []),
      lines: count((n) => (n.orders ?? []).flatMap((o: any) => o.lines)),
    };
  }

  it('issues one round trip per entity type per plan level, for 10 and for 50 customers alike', async () => {
    const small = await roundTripsFor(10);
    const large = await roundTripsFor(50);

    // The data really grew…
    expect(large.lines).toBeGreaterThan(small.lines * 2);
    expect(large.contacts).toBeGreaterThan(small.contacts * 2);

    // …the SQL round trips did not: MDM customers page, ERP orders, order
    // lines, products by SKU (MDM) and stock by SKU (ERP), one each.
    expect(large.sqlStatements).toBe(small.sqlStatements);
    const sqlOperations = Object.entries(large.byOperation).filter(([key]) => !key.startsWith('crm '));
    for (const [operation, times] of sqlOperations) {
      expect(times, operation).toBe(1);
    }
    expect(sqlOperations.map(([key]) => key)).toEqual(
      expect.arrayContaining(['mdm golden.customer.page', 'erp orders.byPartner', 'erp orderLines.byOrder', 'erp stock.bySku', 'mdm golden.product.bySku']),
    );

    // CRM: one associations call per associated type, one batch read per 100 objects.
    const expectedCrm = (contacts: number, deals: number) => 2 + Math.ceil(contacts / 100) + Math.ceil(deals / 100);
    const distinctContacts = (r: typeof large) => new Set(r.nodes.flatMap((n: any) => (n.contacts ?? []).map((c: any) => c.email))).size;
    expect(small.crmHttpRequests).toBe(expectedCrm(distinctContacts(small), small.deals));
    expect(large.crmHttpRequests).toBe(expectedCrm(distinctContacts(large), large.deals));
    expect(large.crmHttpRequests).toBeLessThanOrEqual(6);
  });
});
