import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { graphql, GraphQLError, parse } from 'graphql';

/**
 * Tiny real subgraphs for the gateway's tests (not the ERP/CRM/MDM ones):
 * an @apollo/subgraph schema behind node:http on a free port, counting what it
 * receives so tests can assert what the backend saw.
 */
export interface TinySubgraph {
  name: string;
  url: string;
  sdl: string;
  /** Every request body received, in order. */
  received: Array<{ query: string; variables?: Record<string, unknown>; headers: Record<string, string | string[] | undefined> }>;
  /** What its GET /ready answers: 200 while true, 503 when a test sets it false. */
  ready: boolean;
  close(): Promise<void>;
}

const FEDERATION = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])';

/** Customers by id; owned by "mdm". */
export const MDM_SDL = `${FEDERATION}
type Query {
  customer(id: ID!): Customer
  customers: [Customer!]!
  "Answers after ms milliseconds: for in-flight and deduplication tests."
  slow(ms: Int!): String
}
type Mutation { touch(id: ID!): Int }
type Customer @key(fields: "id") { id: ID! name: String! }
`;

/** Adds contacts to Customer; "crm". Customer 13 fails with a subgraph-side code. */
export const CRM_SDL = `${FEDERATION}
type Customer @key(fields: "id") { id: ID! contacts: [Contact!] }
type Contact { name: String! email: String }
`;

/** The next CRM version: adds Customer.segment. */
export const CRM_V2_SDL = CRM_SDL.replace('contacts: [Contact!] }', 'contacts: [Contact!] segment: String }');

/** Conflicts with MDM_SDL: Customer.name as Int in a second subgraph (not shareable, different type). */
export const CONFLICTING_SDL = `${FEDERATION}
type Customer @key(fields: "id") { id: ID! name: Int }
`;

const CUSTOMERS = [
  { id: '1', name: 'Acme GmbH' },
  { id: '2', name: 'Globex SA' },
  { id: '13', name: 'Initech Ltd' },
];

export const mdmResolvers = {
  Query: {
    customer: (_: unknown, { id }: { id: string }) => CUSTOMERS.find((c) => c.id === id) ?? null,
    customers: () => CUSTOMERS,
    slow: async (_: unknown, { ms }: { ms: number }) => {
      await sleep(ms);
      return `slept ${ms}`;
    },
  },
  Mutation: { touch: (_: unknown, { id }: { id: string }) => Number(id) },
  Customer: { __resolveReference: (ref: { id: string }) => CUSTOMERS.find((c) => c.id === ref.id) ?? null },
};

export const crmResolvers = {
  Customer: {
    __resolveReference: (ref: { id: string }) => ({ id: ref.id }),
    contacts: (customer: { id: string }) => {
      if (customer.id === '13') throw new GraphQLError('The CRM refused the batch read', { extensions: { code: 'CRM_UNAVAILABLE', source: 'crm' } });
      return [{ name: `Contact of ${customer.id}`, email: `c${customer.id}@example.com` }];
    },
    segment: (customer: { id: string }) => (customer.id === '1' ? 'enterprise' : 'smb'),
  },
};

export async function startTinySubgraph(name: string, sdl: string, resolvers: object): Promise<TinySubgraph> {
  const schema = buildSubgraphSchema({ typeDefs: parse(sdl), resolvers: resolvers as never });
  const received: TinySubgraph['received'] = [];
  let subgraph: TinySubgraph | undefined;
  const server = createServer(async (request, response) => {
    if (request.method === 'GET' && request.url === '/ready') {
      response.writeHead(subgraph?.ready === false ? 503 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: subgraph?.ready === false ? 'unavailable' : 'ready' }));
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; variables?: Record<string, unknown>; operationName?: string };
    received.push({ query: body.query, variables: body.variables, headers: request.headers });
    const result = await graphql({ schema, source: body.query, variableValues: body.variables, operationName: body.operationName });
    const text = JSON.stringify(result);
    response.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    response.end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  subgraph = {
    name,
    url: `http://127.0.0.1:${port}/graphql`,
    sdl,
    received,
    ready: true,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
  return subgraph;
}
