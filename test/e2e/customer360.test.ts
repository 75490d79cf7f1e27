import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { correctlyMatchedCustomers, expectedCustomer360, showcaseMasterId } from './groundTruth.js';

const customer360 = readFileSync(new URL('./customer360.graphql', import.meta.url), 'utf8');
const targets = await databaseTargets();

for (const target of targets) {
  describe.skipIf(Boolean(target.unavailable))(`customer 360 end to end on ${target.name}`, () => {
    let database: TestDatabase;
    let stack: TestStack;

    beforeAll(async () => {
      database = await target.create();
      stack = await startTestStack({ databaseUrl: database.url, companies: 150 });
    });

    afterAll(async () => {
      await stack?.stop();
      await database?.drop();
    });

    it('answers the customer 360 query for the showcase customer in one request, from ERP, CRM and MDM', async () => {
      const id = await showcaseMasterId(stack.pool);
      const { status, body } = await postGraphQL(stack.gatewayUrl, customer360, { id }, stack.headersFor('demo-admin'));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      const customer = body.data.customer;
      expect(customer.id).toBe(id);
      expect(customer.name).toMatch(/globex/i);
      expect(customer.sources.map((s: any) => s.system).sort()).toEqual(['CRM', 'ERP']);
      expect(customer.orders.length).toBe(5);
      expect(customer.orders[0].lines.length).toBeGreaterThan(0);
      expect(customer.orders[0].lines[0].product.sku).toEqual(expect.any(String));
      expect(customer.orders[0].lines[0].product.stock.onHand).toEqual(expect.any(Number));
      expect(customer.overdueInvoices.length).toBeGreaterThanOrEqual(1);
      expect(customer.contacts.length).toBeGreaterThanOrEqual(3);
      expect(customer.deals.length).toBe(2);
      expect(customer.tickets.length).toBe(1);
      expect(customer.openBalance).toBeGreaterThan(0);
    });

    it('gives each golden customer exactly the orders, invoices, contacts, deals and tickets of its source records', async () => {
      const matched = await correctlyMatchedCustomers(stack.pool, 6);
      expect(matched.length).toBeGreaterThanOrEqual(4);
      for (const { masterId } of matched) {
        const expected = await expectedCustomer360(stack.pool, masterId);
        const { body } = await postGraphQL(stack.gatewayUrl, customer360, { id: masterId }, stack.headersFor('demo-admin'));
        expect(body.errors, `errors for ${masterId}`).toBeUndefined();
        const customer = body.data.customer;
        expect(customer.sources.filter((s: any) => s.system === 'ERP').map((s: any) => s.sourceId).sort()).toEqual(expected.erpPartnerIds);
        expect(customer.sources.filter((s: any) => s.system === 'CRM').map((s: any) => s.sourceId).sort()).toEqual(expected.crmCompanyIds);
        expect(customer.orders.map((o: any) => o.number).sort()).toEqual(expected.orderNumbers);
        expect(customer.overdueInvoices.map((i: any) => i.number).sort()).toEqual(expected.overdueInvoiceNumbers);
        expect([...new Set(customer.contacts.map((c: any) => c.email ?? ''))].sort()).toEqual(expected.contactEmails);
        expect(customer.deals.map((d: any) => d.name).sort()).toEqual(expected.openDealNames);
        expect(customer.tickets.map((t: any) => t.subject).sort()).toEqual(expected.openTicketSubjects);
      }
    });

    it('finds the showcase customer by a misspelt name, fuzzy over the words of its golden name', async () => {
      const id = await showcaseMasterId(stack.pool);
      const { body } = await postGraphQL(
        stack.gatewayUrl,
        '{ searchCustomers(name: "glbex") { nodes { id name } } }',
        {},
        stack.headersFor('demo-admin'),
      );
      expect(body.errors).toBeUndefined();
      expect(body.data.searchCustomers.nodes[0]).toEqual({ id, name: 'Globex Corporation' });
    });

    it('answers an unknown customer id with null and no error', async () => {
      const { status, body } = await postGraphQL(stack.gatewayUrl, customer360, { id: 'cus_doesnotexist' }, stack.headersFor('demo-admin'));
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.customer).toBeNull();
    });
  });
}
