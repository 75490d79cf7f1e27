import { composeServices } from '@apollo/composition';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { parse, print, type GraphQLSchema } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, userPrincipal, type Principal } from '../../platform/auth/principal.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';
import { authorizeOperation, shapeAuthorizedResult } from './authorizeOperation.js';
import { filterUnauthorizedFields } from './filterFields.js';
import { extractAuthorizationRules, stripAuthorizationDirectives } from './supergraphRules.js';

const header = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes", "@composeDirective", "@shareable"])
  @link(url: "https://specs.concord.dev/pii/v0.1", import: ["@pii"])
  @composeDirective(name: "@pii")
directive @pii(mask: PiiMask!) on FIELD_DEFINITION
enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }
`;

const mdmSdl = header + `
  type Query {
    customer(id: ID!): Customer @requiresScopes(scopes: [["customers:read"]])
    customers: [Customer!]! @requiresScopes(scopes: [["customers:read"]])
    products: [Product!]!
  }
  type Customer @key(fields: "id") {
    id: ID!
    name: String
    primaryEmail: String @pii(mask: EMAIL)
    taxId: String @requiresScopes(scopes: [["pii:read"]])
    riskScore: Int! @requiresScopes(scopes: [["audit:read"]])
  }
  type Product @key(fields: "id") { id: ID! name: String! }
`;
const erpSdl = header + `
  type Customer @key(fields: "id") {
    id: ID!
    creditLimit: Float @requiresScopes(scopes: [["finance:read"]])
    orders(last: Int): [Order!]! @requiresScopes(scopes: [["sales:read"], ["finance:read"]])
  }
  type Order { number: String! total: Float! }
`;

const customers = [
  { id: 'c1', name: 'Acme', primaryEmail: 'jane@acme.test', taxId: 'FR123456789', riskScore: 3 },
  { id: 'c2', name: 'Globex', primaryEmail: 'hank@globex.test', taxId: 'DE987654321', riskScore: 7 },
];
const fetches = { mdm: 0, erp: 0 };

const mdm = buildSubgraphSchema({
  typeDefs: parse(mdmSdl),
  resolvers: {
    Query: { customer: (_: unknown, { id }: { id: string }) => customers.find((c) => c.id === id), customers: () => customers, products: () => [{ id: 'p1', name: 'Bolt' }] },
    Customer: { __resolveReference: (ref: { id: string }) => customers.find((c) => c.id === ref.id) },
  } as never,
});
const erp = buildSubgraphSchema({
  typeDefs: parse(erpSdl),
  resolvers: {
    Customer: {
      __resolveReference: (ref: { id: string }) => ({ id: ref.id, creditLimit: ref.id === 'c1' ? 5000 : 100 }),
      orders: (c: { id: string }) => [{ number: `${c.id}-1`, total: 10 }],
    },
  } as never,
});

let supergraphSdl: string;
let rules: AuthorizationRules;
let server: ApolloServer;
let schema: GraphQLSchema;

beforeAll(async () => {
  const composed = composeServices([
    { name: 'mdm', typeDefs: parse(mdmSdl), url: 'http://mdm' },
    { name: 'erp', typeDefs: parse(erpSdl), url: 'http://erp' },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  supergraphSdl = composed.supergraphSdl;
  rules = extractAuthorizationRules(supergraphSdl);
  const gateway = new ApolloGateway({
    supergraphSdl: stripAuthorizationDirectives(supergraphSdl),
    buildService: ({ name }) => {
      const source = new LocalGraphQLDataSource(name === 'mdm' ? mdm : erp);
      const process = source.process.bind(source);
      source.process = (request) => {
        fetches[name as 'mdm' | 'erp'] += 1;
        return process(request);
      };
      return source;
    },
  });
  server = new ApolloServer({ gateway, includeStacktraceInErrorResponses: false });
  await server.start();
  schema = (gateway as unknown as { schema: GraphQLSchema }).schema;
});
afterAll(() => server?.stop());

/** What the gateway will do per request: authorize, execute the filtered operation, shape the answer. */
async function query(principal: Principal, source: string, variables?: Record<string, unknown>, mode: 'filter' | 'reject' = 'filter') {
  fetches.mdm = 0;
  fetches.erp = 0;
  const operation = authorizeOperation({ document: parse(source), schema, rules, principal, mode });
  type Answer = { data?: Record<string, unknown> | null; errors?: unknown[] };
  if (operation.rejected) return { result: { errors: operation.errors.map((e) => e.toJSON()) } as Answer, reads: undefined, fetches: { ...fetches } };
  const response = await server.executeOperation({ query: print(operation.document), variables });
  if (response.body.kind !== 'single') throw new Error('expected a single result');
  const shaped = shapeAuthorizedResult(response.body.singleResult as Answer, operation);
  return { ...shaped, fetches: { ...fetches } };
}

const analyst = userPrincipal('demo-analyst', ['customers:read', 'finance:read', 'sales:read']);
const sales = userPrincipal('demo-sales', ['customers:read', 'pii:read', 'sales:read']);

describe('the supergraph handed to @apollo/gateway', () => {
  it('is refused with the authorization directives and accepted without them', async () => {
    const refusal = await new ApolloGateway({ supergraphSdl }).load().then(() => undefined, (e: { message: string; causes?: Error[] }) => e);
    expect(JSON.stringify([refusal?.message, refusal?.causes?.map((c) => String(c))])).toMatch(/requiresScopes\/v0.1 is for: SECURITY but is unsupported/);
    const stripped = stripAuthorizationDirectives(supergraphSdl);
    expect(stripped).not.toMatch(/requiresScopes|@authenticated/);
    expect(stripped).toContain('@pii(mask: EMAIL)');
    const gateway = new ApolloGateway({ supergraphSdl: stripped });
    await expect(gateway.load()).resolves.toBeDefined();
    await gateway.stop();
  });

  it('yields a rule table with requirements from both subgraphs and the composed @pii', () => {
    expect(rules.fields['Customer.creditLimit']).toEqual({ authenticated: true, scopes: [['finance:read']] });
    expect(rules.fields['Customer.orders'].scopes).toEqual([['sales:read'], ['finance:read']]);
    expect(rules.pii).toEqual({ 'Customer.primaryEmail': 'EMAIL' });
  });
});

describe('gateway-side field authorization', () => {
  it('gives finance fields to an analyst, masks PII and reports the sensitive reads', async () => {
    const { result, reads } = await query(analyst, '{ customer(id: "c1") { name primaryEmail creditLimit } }');
    expect(result).toEqual({ data: { customer: { name: 'Acme', primaryEmail: 'j•••@acme.test', creditLimit: 5000 } } });
    expect(reads).toEqual({ fields: ['Customer.creditLimit', 'Customer.primaryEmail'], entityIds: ['c1'], masked: true });
  });

  it('nulls an unauthorized field with its path while the rest comes, and never calls the subgraph that only served it', async () => {
    const { result, fetches } = await query(sales, '{ customer(id: "c1") { name primaryEmail creditLimit } }');
    expect(result.data).toEqual({ customer: { name: 'Acme', primaryEmail: 'jane@acme.test', creditLimit: null } });
    expect(result.errors).toEqual([{ message: 'Unauthorized field or type', path: ['customer', 'creditLimit'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE', coordinate: 'Customer.creditLimit' } }]);
    expect(fetches).toEqual({ mdm: 1, erp: 0 });
  });

  it('keeps the parent when its whole selection set is removed', async () => {
    const { result } = await query(sales, '{ customer(id: "c1") { creditLimit } }');
    expect(result.data).toEqual({ customer: { creditLimit: null } });
  });

  it('propagates null from a non-null field to its nullable parent', async () => {
    const { result } = await query(sales, '{ customer(id: "c1") { name riskScore } products { name } }');
    expect(result.data).toEqual({ customer: null, products: [{ name: 'Bolt' }] });
    expect((result.errors as Array<{ path: string[] }>)[0].path).toEqual(['customer', 'riskScore']);
  });

  it('propagates through non-null list items up to the root when nothing nullable is left', async () => {
    const { result } = await query(sales, '{ customers { riskScore } }');
    expect(result.data).toBeNull();
    expect((result.errors as Array<{ path: string[] }>)[0].path).toEqual(['customers', '@', 'riskScore']);
  });

  it('removes the root field for an anonymous caller, answering public fields', async () => {
    const { result } = await query(ANONYMOUS, '{ customer(id: "c1") { name } products { name } }');
    expect(result.data).toEqual({ customer: null, products: [{ name: 'Bolt' }] });
  });

  it('handles aliases, named fragments, inline fragments and variables that become unused', async () => {
    const source = `query Q($id: ID!, $n: Int) {
      a: customer(id: $id) { ...F }
      b: customer(id: "c2") { ... on Customer { limit: creditLimit name } }
    }
    fragment F on Customer { label: name cl: creditLimit orders(last: $n) { total } }`;
    const noFinance = userPrincipal('u', ['customers:read']);
    const filtered = filterUnauthorizedFields(parse(source), schema, rules, noFinance, 'filter');
    expect(print(filtered.document)).not.toMatch(/\$n/);
    expect(filtered.errors.map((e) => e.path)).toEqual([['a', 'cl'], ['a', 'orders'], ['b', 'limit']]);
    const { result } = await query(noFinance, source, { id: 'c1', n: 5 });
    // orders is non-null ([Order!]!): its null propagates to the nullable "a", as GraphQL execution would.
    expect(result.data).toEqual({ a: null, b: { limit: null, name: 'Globex' } });
  });

  it('refuses the whole operation in reject mode', async () => {
    const { result, fetches } = await query(sales, '{ customer(id: "c1") { name creditLimit } }', undefined, 'reject');
    expect(result).toEqual({ errors: [expect.objectContaining({ path: ['customer', 'creditLimit'], extensions: expect.objectContaining({ code: 'UNAUTHORIZED_FIELD_OR_TYPE' }) })] });
    expect(fetches).toEqual({ mdm: 0, erp: 0 });
  });

  it('does not let aliases multiply access: every alias of a protected field is removed', async () => {
    const aliases = Array.from({ length: 5 }, (_, i) => `l${i}: creditLimit`).join(' ');
    const { result } = await query(sales, `{ customer(id: "c1") { ${aliases} } }`);
    expect(result.data).toEqual({ customer: { l0: null, l1: null, l2: null, l3: null, l4: null } });
    expect(result.errors).toHaveLength(5);
  });
});
