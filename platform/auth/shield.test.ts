import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, GraphQLError, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { mergeSchemas } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { buildPiiMiddleware } from './piiMiddleware.js';
import { ANONYMOUS, userPrincipal, type Principal } from './principal.js';
import { guardReferenceResolvers } from './referenceGuard.js';
import { buildShieldFromSdl } from './shield.js';

const typeDefs = parse(`
  extend schema
    @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes", "@composeDirective"])
    @link(url: "https://specs.concord.dev/pii/v0.1", import: ["@pii"])
    @composeDirective(name: "@pii")
  directive @pii(mask: PiiMask!) on FIELD_DEFINITION
  enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }

  type Query {
    customer(id: ID!): Customer @requiresScopes(scopes: [["customers:read"]])
    catalogue: [String!]!
    crash: String
  }
  type Customer @key(fields: "id") {
    id: ID!
    name: String
    email: String @pii(mask: EMAIL)
    creditLimit: Float @requiresScopes(scopes: [["finance:read"], ["admin"]])
  }
  type Ledger @key(fields: "id") @requiresScopes(scopes: [["finance:read"]]) {
    id: ID!
    balance: Float
  }
`);

function buildGuardedSchema(counters: { ledgerReads: number }) {
  const resolvers = {
    Query: {
      customer: (_: unknown, { id }: { id: string }) => ({ id, name: 'Acme', email: 'jane@acme.test', creditLimit: 5000 }),
      catalogue: () => ['a', 'b'],
      crash: () => {
        throw new GraphQLError('CRM is down', { extensions: { code: 'CRM_UNAVAILABLE' } });
      },
    },
    Customer: {
      // Loads the protected value inside the reference resolver, the classic leak shape.
      __resolveReference: (ref: { id: string }) => ({ id: ref.id, name: 'Acme', email: 'jane@acme.test', creditLimit: 5000 }),
    },
    Ledger: {
      __resolveReference: (ref: { id: string }) => {
        counters.ledgerReads += 1;
        return { id: ref.id, balance: 12.5 };
      },
    },
  };
  const schema = buildSubgraphSchema({ typeDefs, resolvers: guardReferenceResolvers(resolvers, typeDefs) as never });
  return applyMiddleware(schema, buildShieldFromSdl(typeDefs), buildPiiMiddleware(typeDefs));
}

async function run(principal: Principal, query: string, variables?: Record<string, unknown>) {
  const counters = { ledgerReads: 0 };
  const result = await execute({ schema: buildGuardedSchema(counters), document: parse(query), variableValues: variables, contextValue: { principal } });
  return { ...JSON.parse(JSON.stringify(result)), counters };
}

const finance = userPrincipal('fin', ['customers:read', 'finance:read', 'pii:read']);
const sales = userPrincipal('sal', ['customers:read']);

describe('shield rules generated from the subgraph SDL', () => {
  it('gives a protected field to a caller holding one OR-group of its scopes', async () => {
    const { data, errors } = await run(finance, '{ customer(id: "1") { name creditLimit email } }');
    expect(errors).toBeUndefined();
    expect(data).toEqual({ customer: { name: 'Acme', creditLimit: 5000, email: 'jane@acme.test' } });
  });

  it('nulls a field the caller may not read, with UNAUTHORIZED_FIELD_OR_TYPE and its path, and masks PII', async () => {
    const { data, errors } = await run(sales, '{ customer(id: "1") { name creditLimit email } }');
    expect(data).toEqual({ customer: { name: 'Acme', creditLimit: null, email: 'j•••@acme.test' } });
    expect(errors).toEqual([expect.objectContaining({ path: ['customer', 'creditLimit'], extensions: expect.objectContaining({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' }) })]);
  });

  it('refuses the whole root field to an anonymous caller', async () => {
    const { data, errors } = await run(ANONYMOUS, '{ customer(id: "1") { name } catalogue }');
    expect(data).toEqual({ customer: null, catalogue: ['a', 'b'] });
    expect(errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('keeps a source error with its own code instead of "Not Authorised!"', async () => {
    const { errors } = await run(sales, '{ crash }');
    expect(errors).toEqual([expect.objectContaining({ message: 'CRM is down', extensions: expect.objectContaining({ code: 'CRM_UNAVAILABLE' }) })]);
  });

  it('answers _service so the gateway can read the SDL', async () => {
    const { data, errors } = await run(ANONYMOUS, '{ _service { sdl } }');
    expect(errors).toBeUndefined();
    expect(data._service.sdl).toContain('type Customer');
  });

  it('does not leak a protected field through _entities, even when __resolveReference loaded it', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id creditLimit email } } }';
    const { data, errors } = await run(sales, query, { r: [{ __typename: 'Customer', id: '7' }] });
    expect(data._entities).toEqual([{ id: '7', creditLimit: null, email: 'j•••@acme.test' }]);
    expect(errors[0]).toMatchObject({ path: ['_entities', 0, 'creditLimit'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });
  });

  it('refuses a protected entity type before its __resolveReference reads the source', async () => {
    const query = 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Ledger { id balance } } }';
    const refused = await run(sales, query, { r: [{ __typename: 'Ledger', id: 'L1' }] });
    expect(refused.counters.ledgerReads).toBe(0);
    expect(refused.data._entities).toEqual([null]);
    expect(refused.errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
    const allowed = await run(finance, query, { r: [{ __typename: 'Ledger', id: 'L1' }] });
    expect(allowed.counters.ledgerReads).toBe(1);
    expect(allowed.data._entities).toEqual([{ id: 'L1', balance: 12.5 }]);
  });

  it('decides per field even when the same rule is hit through aliases', async () => {
    const { data, errors } = await run(sales, '{ a: customer(id: "1") { c1: creditLimit name } b: customer(id: "2") { c2: creditLimit } }');
    expect(data).toEqual({ a: { c1: null, name: 'Acme' }, b: { c2: null } });
    expect(errors).toHaveLength(2);
  });

  it('closes a type added to the executable schema outside the SDL (the fallback rule)', async () => {
    const base = buildSubgraphSchema({ typeDefs, resolvers: {} as never });
    const extended = mergeSchemas({
      schemas: [base],
      typeDefs: 'extend type Query { hidden: String secret: Secret } type Secret { value: String }',
      resolvers: { Query: { hidden: () => 'leak', secret: () => ({ value: 'leak' }) } },
    });
    const schema = applyMiddleware(extended, buildShieldFromSdl(typeDefs));
    const secret = JSON.parse(JSON.stringify(await execute({ schema, document: parse('{ secret { value } }'), contextValue: { principal: finance } })));
    expect(secret.data.secret).toEqual({ value: null });
    expect(secret.errors).toEqual([expect.objectContaining({ path: ['secret', 'value'], extensions: expect.objectContaining({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' }) })]);
  });

  it('leaves fields every caller may read unwrapped: they resolve synchronously (issue 14)', () => {
    const schema = buildGuardedSchema({ ledgerReads: 0 });
    const result = execute({ schema, document: parse('{ catalogue }'), contextValue: { principal: ANONYMOUS } });
    // graphql-js answers synchronously when no resolver returns a promise; shield's wrapper made every field one.
    expect(result).not.toBeInstanceOf(Promise);
    expect(result).toEqual({ data: { catalogue: ['a', 'b'] } });
  });

  it('checks scope rules and masks PII without a promise per field, granted or refused (issue 14)', () => {
    const schema = buildGuardedSchema({ ledgerReads: 0 });
    const document = parse('{ customer(id: "c1") { name email creditLimit } }');
    const granted = execute({ schema, document, contextValue: { principal: finance } });
    const refused = execute({ schema, document, contextValue: { principal: sales } });
    expect(granted).not.toBeInstanceOf(Promise);
    expect(refused).not.toBeInstanceOf(Promise);
    expect(JSON.parse(JSON.stringify(granted))).toEqual({ data: { customer: { name: 'Acme', email: 'jane@acme.test', creditLimit: 5000 } } });
    const { data, errors } = JSON.parse(JSON.stringify(refused));
    expect(data.customer.email).not.toBe('jane@acme.test');
    expect(data.customer.creditLimit).toBeNull();
    expect(errors).toEqual([expect.objectContaining({ path: ['customer', 'creditLimit'], extensions: expect.objectContaining({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' }) })]);
  });

  it('masks a PII field whose resolver answers with a promise', async () => {
    const schema = applyMiddleware(
      buildSubgraphSchema({ typeDefs, resolvers: { Query: { customer: () => ({ id: 'c1', email: Promise.resolve('jane@acme.test') }) } } as never }),
      buildShieldFromSdl(typeDefs),
      buildPiiMiddleware(typeDefs),
    );
    const result = await execute({ schema, document: parse('{ customer(id: "c1") { email } }'), contextValue: { principal: sales } });
    expect(result.errors).toBeUndefined();
    expect((result.data as { customer: { email: string } }).customer.email).toMatch(/^j.*@/);
    expect((result.data as { customer: { email: string } }).customer.email).not.toBe('jane@acme.test');
  });
});
