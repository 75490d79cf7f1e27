import { buildSchema, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { collectFieldUsage } from './usage.js';

const schema = buildSchema(`
  type Query { customer(id: ID!): Customer search(text: String, limit: Int): [Party!]! }
  interface Party { id: ID! name: String }
  type Customer implements Party { id: ID! name: String taxId: String orders(last: Int): [Order!]! }
  type Order { number: String total: Float }
`);

describe('collectFieldUsage', () => {
  it('lists the fields and arguments an operation uses, through fragments and interfaces', () => {
    const document = parse(`
      query Page($id: ID!) { customer(id: $id) { ...Bits orders(last: 5) { number } __typename } }
      fragment Bits on Customer { name taxId }
      query Other { search(text: "x") { id ... on Customer { taxId } } }
    `);
    expect(collectFieldUsage(schema, document, 'Page')).toEqual([
      'Customer.name', 'Customer.orders', 'Customer.orders.last', 'Customer.taxId', 'Order.number', 'Query.customer', 'Query.customer.id',
    ]);
    expect(collectFieldUsage(schema, document, 'Other')).toEqual(['Customer.taxId', 'Party.id', 'Query.search', 'Query.search.text']);
  });

  it('ignores fields the schema does not know instead of guessing a type', () => {
    expect(collectFieldUsage(schema, parse('{ customer(id: 1) { nope name } }'))).toEqual(['Customer.name', 'Query.customer', 'Query.customer.id']);
  });
});
