import { composeServices } from '@apollo/composition';
import {
  buildClientSchema,
  executeSync,
  getIntrospectionQuery,
  isObjectType,
  parse,
  print,
  validate,
  type GraphQLSchema,
  type IntrospectionQuery,
} from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS, userPrincipal, type Principal } from '../../platform/auth/principal.js';
import type { AuthorizationRules } from '../../platform/auth/requirements.js';
import { answerIntrospection, introspectionOnlyDocument } from './introspectionExecution.js';
import { VisibleSchemas, visibilityKey, visibleSchema } from './introspectionSchema.js';
import { suggestionIsVisible, suggestionsLeak } from './introspectionSuggestions.js';
import { extractAuthorizationRules } from './supergraphRules.js';

const header = `extend schema
  @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@requiresScopes", "@composeDirective"])
  @link(url: "https://specs.concord.dev/pii/v0.1", import: ["@pii"])
  @composeDirective(name: "@pii")
directive @pii(mask: PiiMask!) on FIELD_DEFINITION
enum PiiMask { EMAIL PHONE NAME TAX_ID REDACT }
`;

/** A small supergraph with every shape the filter must handle: field and type rules, a union, an interface, a mutation with its input type. */
const mdmSdl = header + `
  type Query {
    customer(id: ID!): Customer
    products: [Product!]!
    reviewQueue: [MatchCandidate!]! @requiresScopes(scopes: [["mdm:steward"]])
    search(text: String!): [SearchHit!]!
    node(id: ID!): Node
  }
  type Mutation {
    mergeCustomers(input: MergeInput!): Customer @requiresScopes(scopes: [["mdm:steward"]])
  }
  input MergeInput { ids: [ID!]! }
  interface Node { id: ID! }
  type Customer implements Node @key(fields: "id") @requiresScopes(scopes: [["customers:read"]]) {
    id: ID!
    name: String
    taxId: String @requiresScopes(scopes: [["customers:read"]]) @pii(mask: TAX_ID)
  }
  type Product implements Node @key(fields: "id") { id: ID! name: String! }
  type MatchCandidate @requiresScopes(scopes: [["mdm:steward"]]) { id: ID! score: Float! }
  union SearchHit = Customer | Product | MatchCandidate
`;
const erpSdl = header + `
  type Customer @key(fields: "id") @requiresScopes(scopes: [["customers:read"]]) {
    id: ID!
    openBalance: Float @requiresScopes(scopes: [["finance:read"]])
  }
  type Product @key(fields: "id") { id: ID! stock: Int @requiresScopes(scopes: [["products:read"]]) }
`;

const analyst = userPrincipal('analyst', ['customers:read', 'products:read', 'finance:read', 'explore']);
const steward = userPrincipal('steward', ['customers:read', 'products:read', 'pii:read', 'mdm:steward']);
const admin = userPrincipal('admin', ['customers:read', 'products:read', 'pii:read', 'finance:read', 'mdm:steward', 'explore']);

let schema: GraphQLSchema;
let rules: AuthorizationRules;

beforeAll(() => {
  const composed = composeServices([
    { name: 'mdm', typeDefs: parse(mdmSdl), url: 'http://mdm' },
    { name: 'erp', typeDefs: parse(erpSdl), url: 'http://erp' },
  ]);
  if (composed.errors) throw new Error(composed.errors.map((e) => e.message).join('\n'));
  rules = extractAuthorizationRules(composed.supergraphSdl);
  schema = composed.schema.toAPISchema().toGraphQLJSSchema();
});

/** `Type.field` for every object/interface field, and every named type, of a schema. */
function coordinates(s: GraphQLSchema): Set<string> {
  const all = new Set<string>();
  for (const type of Object.values(s.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    all.add(type.name);
    if ('getFields' in type) for (const name of Object.keys(type.getFields())) all.add(`${type.name}.${name}`);
  }
  return all;
}

/** What a gateway would answer for `query` against the whole schema, then rewritten for the principal. */
function introspect(query: string, principal: Principal, variables?: Record<string, unknown>) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  const whole = executeSync({ schema, document, rootValue: {}, variableValues: variables });
  const data = { ...(whole.data as Record<string, unknown>) };
  const introspection = introspectionOnlyDocument(document);
  const errors = introspection ? answerIntrospection(data, introspection, visibleSchema(schema, rules, principal), variables) : [];
  return { data: data as any, errors };
}

describe('visibleSchema', () => {
  it('removes for an analyst the steward fields and types, keeps what they read (masked PII included)', () => {
    const visible = coordinates(visibleSchema(schema, rules, analyst));
    for (const hidden of ['Query.reviewQueue', 'MatchCandidate', 'Mutation', 'Mutation.mergeCustomers', 'MergeInput']) expect(visible).not.toContain(hidden);
    for (const shown of ['Customer.taxId', 'Customer.openBalance', 'Customer.name', 'Product.stock', 'Query.search', 'Node.id']) expect(visible).toContain(shown);
    const view = visibleSchema(schema, rules, analyst);
    expect(view.getPossibleTypes(view.getType('SearchHit') as never).map((t) => t.name).sort()).toEqual(['Customer', 'Product']);
  });

  it('shows a steward the review queue and its types, not what needs finance:read', () => {
    const visible = coordinates(visibleSchema(schema, rules, steward));
    for (const shown of ['Query.reviewQueue', 'MatchCandidate.score', 'Mutation.mergeCustomers', 'MergeInput']) expect(visible).toContain(shown);
    expect(visible).not.toContain('Customer.openBalance');
  });

  it('shows anonymous callers only public fields: no Customer anywhere, Product without stock', () => {
    const view = visibleSchema(schema, rules, ANONYMOUS);
    const visible = coordinates(view);
    for (const hidden of ['Customer', 'Query.customer', 'Product.stock', 'Mutation', 'MatchCandidate']) expect(visible).not.toContain(hidden);
    // Node.id needs what every implementation needs (Customer's customers:read), as at run time: Node has nothing left.
    expect(visible).not.toContain('Node');
    const product = view.getType('Product');
    expect(isObjectType(product) && product.getInterfaces()).toEqual([]);
    expect(view.getPossibleTypes(view.getType('SearchHit') as never).map((t) => t.name)).toEqual(['Product']);
    expect(visible).toContain('Product.name');
  });

  it('gives the whole schema, unchanged, to a caller who may read everything', () => {
    expect(visibleSchema(schema, rules, admin)).toBe(schema);
  });

  it('builds a valid client schema from the standard introspection query for every caller', () => {
    for (const principal of [ANONYMOUS, analyst, steward, admin]) {
      const { data, errors } = introspect(getIntrospectionQuery(), principal);
      expect(errors).toEqual([]);
      const client = buildClientSchema(data as IntrospectionQuery);
      expect(coordinates(client)).toEqual(coordinates(visibleSchema(schema, rules, principal)));
      // The client validates queries against it: it must be a valid schema.
      expect(validate(client, parse('{ __typename }'))).toEqual([]);
    }
  });
});

describe('the introspection part of an operation', () => {
  it('answers __type of a hidden type with null and of a visible one without the hidden fields', () => {
    const { data } = introspect('{ mc: __type(name: "MatchCandidate") { name } c: __type(name: "Customer") { fields { name } } }', analyst);
    expect(data.mc).toBeNull();
    expect(data.c.fields.map((f: { name: string }) => f.name).sort()).toEqual(['id', 'name', 'openBalance', 'taxId']);
    expect(introspect('{ __type(name: "MatchCandidate") { name } }', steward).data.__type).toEqual({ name: 'MatchCandidate' });
  });

  it('keeps data fields and __typename of a mixed operation, through fragments, aliases, @skip and variables', () => {
    const query = `query Q($t: String!, $skip: Boolean!, $id: ID!) {
      __typename
      product: products { name }
      ...Root
      ... on Query { hidden: __type(name: "MatchCandidate") @skip(if: $skip) { name } }
      customer(id: $id) { id }
    }
    fragment Root on Query { t: __type(name: $t) { name fields { name } } products { id } }`;
    const introspection = introspectionOnlyDocument(parse(query))!;
    // Only the introspection selections and the variables they use ($id belongs to a data field).
    expect(print(introspection)).not.toMatch(/products|customer|\$id/);
    expect(print(introspection)).toMatch(/\$t: String!/);
    const document = parse(query);
    const whole = executeSync({ schema, document, rootValue: { products: [{ name: 'Bolt', id: 'p1' }], customer: null }, variableValues: { t: 'Query', skip: false, id: 'c1' } });
    const data = { ...(whole.data as Record<string, any>) };
    expect(data.hidden).toEqual({ name: 'MatchCandidate' }); // what the gateway alone would have said
    answerIntrospection(data, introspection, visibleSchema(schema, rules, analyst), { t: 'Query', skip: false, id: 'c1' });
    expect(data.hidden).toBeNull();
    expect(data.t.fields.map((f: { name: string }) => f.name)).not.toContain('reviewQueue');
    expect(data.product).toEqual([{ name: 'Bolt' }]);
    expect(data.__typename).toBe('Query');
    expect(Object.keys(data)).toEqual(['__typename', 'product', 't', 'products', 'hidden', 'customer']);
  });

  it('has none in operations without __schema or __type, mutations included', () => {
    expect(introspectionOnlyDocument(parse('{ __typename products { __typename name } }'))).toBeUndefined();
    expect(introspectionOnlyDocument(parse('mutation { mergeCustomers(input: { ids: [] }) { id } }'))).toBeUndefined();
  });
});

describe('suggestions', () => {
  it('are kept when every name they suggest is visible, dropped when one is not', () => {
    const view = visibleSchema(schema, rules, analyst);
    expect(suggestionsLeak(parse('{ customer(id: "1") { nam } }'), schema, view)).toBe(false);
    expect(suggestionsLeak(parse('{ reviewQueu { id } }'), schema, view)).toBe(true);
    expect(suggestionsLeak(parse('{ products { stok } }'), schema, visibleSchema(schema, rules, ANONYMOUS))).toBe(true);
    expect(suggestionsLeak(parse('{ products { name } }'), schema, view)).toBe(false);
    // A variable typed with a hidden input type: its coercion errors would suggest its fields.
    expect(suggestionsLeak(parse('query ($m: MergeInput) { products { name } }'), schema, view)).toBe(true);
    expect(suggestionsLeak(parse('{ reviewQueu { id } }'), schema, visibleSchema(schema, rules, admin))).toBe(false);
  });

  it('are checked where each message points', () => {
    const view = visibleSchema(schema, rules, analyst);
    expect(suggestionIsVisible('Unknown type "MatchCandidat". Did you mean "MatchCandidate"?', view)).toBe(false);
    expect(suggestionIsVisible('Unknown type "Custome". Did you mean "Customer"?', view)).toBe(true);
    expect(suggestionIsVisible('Cannot query field "x" on type "SearchHit". Did you mean to use an inline fragment on "Customer", "Product", or "MatchCandidate"?', view)).toBe(false);
    expect(suggestionIsVisible('Unknown argument "ix" on field "Query.customer". Did you mean "id"?', view)).toBe(true);
    expect(suggestionIsVisible('Unknown argument "ix" on field "Mutation.mergeCustomers". Did you mean "input"?', view)).toBe(false);
    expect(suggestionIsVisible('Something new. Did you mean "x"?', view)).toBe(false);
  });
});

describe('VisibleSchemas', () => {
  it('builds one view per scope set the rules care about', () => {
    const views = new VisibleSchemas();
    const first = views.get(schema, rules, analyst);
    // `explore` and unknown scopes change nothing in what may be read.
    expect(visibilityKey(rules, analyst)).toBe('u:customers:read finance:read products:read');
    expect(views.get(schema, rules, userPrincipal('other', ['products:read', 'finance:read', 'customers:read', 'whatever']))).toBe(first);
    expect(views.get(schema, rules, steward)).not.toBe(first);
    expect(isObjectType(views.get(schema, rules, ANONYMOUS).getType('Product'))).toBe(true);
  });
});
