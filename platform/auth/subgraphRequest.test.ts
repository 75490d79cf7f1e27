import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { execute, parse } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from './errors.js';
import { GATEWAY_PROOF_HEADER, authenticateSubgraphRequest, generateGatewayProofSecret, signGatewayProof } from './gatewayProof.js';
import { guardReferenceResolvers } from './referenceGuard.js';
import { buildShieldFromSdl } from './shield.js';

const typeDefs = parse(`
  extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@requiresScopes"])
  type Query { ping: String }
  type Customer @key(fields: "id") @requiresScopes(scopes: [["customers:read"]]) {
    id: ID!
    creditLimit: Float @requiresScopes(scopes: [["finance:read"]])
  }
`);
const resolvers = { Query: { ping: () => 'pong' }, Customer: { __resolveReference: (ref: { id: string }) => ({ id: ref.id, creditLimit: 900 }) } };
const schema = applyMiddleware(buildSubgraphSchema({ typeDefs, resolvers: guardReferenceResolvers(resolvers, typeDefs) as never }), buildShieldFromSdl(typeDefs));
const key = generateGatewayProofSecret();

/** The recipe every subgraph server follows: proof first (401 without), then GraphQL with the principal in context. */
const server: Server = createServer(async (request, response) => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  let principal;
  try {
    principal = await authenticateSubgraphRequest(request.headers, key);
  } catch (error) {
    const refusal = error as AuthError;
    response.writeHead(refusal.status, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [refusal.toGraphQLError().toJSON()] }));
    return;
  }
  const body = JSON.parse(Buffer.concat(chunks).toString()) as { query: string; variables?: Record<string, unknown> };
  const result = await execute({ schema, document: parse(body.query), variableValues: body.variables, contextValue: { principal } });
  response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result));
});
let url: string;
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
});
afterAll(() => new Promise((resolve) => server.close(resolve)));

const entities = { query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id creditLimit } } }', variables: { r: [{ __typename: 'Customer', id: 'c1' }] } };

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: Array<{ extensions: Record<string, unknown>; path?: unknown[] }> } };
}

describe('a subgraph called directly', () => {
  it('answers 401 without the gateway proof, _entities included', async () => {
    const { status, body } = await post(entities);
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'GATEWAY_PROOF_MISSING' });
    expect((await post({ query: '{ ping }' }, { [GATEWAY_PROOF_HEADER]: 'forged.token.here' })).status).toBe(401);
  });

  it('applies the same field rules with the proof', async () => {
    const sales = await signGatewayProof({ subject: 'demo-sales', scopes: ['customers:read'] }, key);
    const refused = await post(entities, { [GATEWAY_PROOF_HEADER]: sales });
    expect(refused.body.data).toEqual({ _entities: [{ id: 'c1', creditLimit: null }] });
    expect(refused.body.errors?.[0]).toMatchObject({ path: ['_entities', 0, 'creditLimit'], extensions: { code: 'UNAUTHORIZED_FIELD_OR_TYPE' } });

    const stranger = await signGatewayProof({ subject: 'x', scopes: [] }, key);
    expect((await post(entities, { [GATEWAY_PROOF_HEADER]: stranger })).body.data).toEqual({ _entities: [null] });

    const finance = await signGatewayProof({ subject: 'demo-finance', scopes: ['customers:read', 'finance:read'] }, key);
    expect((await post(entities, { [GATEWAY_PROOF_HEADER]: finance })).body).toEqual({ data: { _entities: [{ id: 'c1', creditLimit: 900 }] } });
  });
});
