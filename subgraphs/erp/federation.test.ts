import { ApolloServer } from '@apollo/server';
import { composeServices } from '@apollo/composition';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../../test/support/databases.js';
import { createPool, type RunningSubgraph, type SourceRequestEvent } from '../../platform/index.js';
import { installMdmFixture } from '../mdm/mdm.fixture.js';
import { startMdmSubgraph } from '../mdm/server.js';
import { mdmTypeDefs } from '../mdm/typeDefs.js';
import { installErpFixture } from './erp.fixture.js';
import { startErpSubgraph } from './server.js';
import { erpTypeDefs } from './typeDefs.js';
import { generateGatewayProofSecret, GATEWAY_PROOF_HEADER, signGatewayProof } from '../../platform/auth/index.js';
import { PROFILES } from '../../gateway/authorization/scopeMatrix.js';

/**
 * The ERP and MDM subgraphs behind a stock @apollo/gateway: the MDM gives the
 * golden customer and its partner ids, the ERP its orders through @requires,
 * and the order lines' products come back to the MDM through the `sku` key.
 * Counts what each source received for the whole plan.
 */
// Subgraphs answer only the gateway (ADR 0003): these tests call them as the gateway would, for an admin.
const proofKey = generateGatewayProofSecret();
const proof = await signGatewayProof({ subject: 'test-admin', scopes: PROFILES.admin.scopes, ttlSec: 3600 }, proofKey);

const [pglite] = await databaseTargets();

const customers = /* GraphQL */ `
  query Customers($first: Int!) {
    customers(first: $first) {
      nodes {
        id name erpPartnerIds
        orders(last: 2) { number lines { quantity product { sku name stock { onHand } } } }
        overdueInvoices { number amountDue }
        creditLimit
      }
    }
  }
`;

describe('ERP and MDM subgraphs behind a gateway', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  let erp: RunningSubgraph;
  let mdm: RunningSubgraph;
  let gateway: ApolloServer;
  let events: SourceRequestEvent[] = [];

  beforeAll(async () => {
    database = await pglite.create();
    pool = createPool({ connectionString: database.url, max: 2 });
    await installErpFixture(pool);
    await installMdmFixture(pool);
    const onSourceRequest = (event: SourceRequestEvent) => events.push(event);
    erp = await startErpSubgraph({ port: 0, host: '127.0.0.1', schema: 'erp', databaseUrl: database.url, onSourceRequest, gatewayProof: proofKey });
    mdm = await startMdmSubgraph({ port: 0, host: '127.0.0.1', databaseUrl: database.url, onSourceRequest, gatewayProof: proofKey });
    const composed = composeServices([
      { name: 'mdm', url: mdm.url, typeDefs: mdmTypeDefs },
      { name: 'erp', url: erp.url, typeDefs: erpTypeDefs },
    ]);
    // Stock @apollo/gateway refuses a supergraph linking the SECURITY features
    // (@authenticated, @requiresScopes: "is for: SECURITY but is unsupported");
    // it would not enforce them anyway. Dropping the purpose lets it load; the
    // directives stay in the SDL for whoever enforces them.
    const supergraphSdl = composed.supergraphSdl!.replaceAll(', for: SECURITY)', ')');
    gateway = new ApolloServer({
      gateway: new ApolloGateway({
        supergraphSdl,
        buildService: ({ url }) =>
          new RemoteGraphQLDataSource({
            url,
            willSendRequest({ request }) {
              request.http?.headers.set(GATEWAY_PROOF_HEADER, proof);
            },
          }),
      }),
    });
    await gateway.start();
  });

  afterAll(async () => {
    await gateway?.stop();
    await erp?.close();
    await mdm?.close();
    await pool?.end();
    await database?.drop();
  });

  async function run(first: number) {
    events = [];
    const response = await gateway.executeOperation({ query: customers, variables: { first } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    const counts: Record<string, number> = {};
    for (const event of events) counts[`${event.source} ${event.operation}`] = (counts[`${event.source} ${event.operation}`] ?? 0) + 1;
    return { result: response.body.singleResult, counts };
  }

  it('answers golden customers with their ERP orders, products named by the MDM and stock from the ERP', async () => {
    const { result } = await run(2);
    expect(result.errors).toBeUndefined();
    const [acme, bolt] = (result.data as any).customers.nodes;
    expect(acme).toMatchObject({ id: 'cust-0001', name: 'Acme NV', erpPartnerIds: ['1', '2'], creditLimit: 5000 });
    expect(acme.orders.map((o: any) => o.number)).toEqual(['S00005', 'S00004']);
    expect(acme.orders[0].lines[0]).toEqual({ quantity: 4, product: { sku: 'BOLT-M8', name: 'Steel bolt M8', stock: { onHand: 15 } } });
    expect(acme.overdueInvoices.map((i: any) => i.number)).toEqual(['INV/2026/00001', 'INV/2026/00005']);
    expect(bolt.orders.map((o: any) => o.number)).toEqual(['S00006']);
  });

  it('sends one statement per entity type per plan level, for 2 customers as for 22', async () => {
    const few = await run(2);
    const many = await run(22);
    expect(many.result.errors).toBeUndefined();
    expect((many.result.data as any).customers.nodes).toHaveLength(22);
    const expected = {
      'mdm golden.customer.page': 1,
      'erp orders.byPartner': 1,
      'erp orderLines.byOrder': 1,
      'erp invoices.byPartner': 1,
      'erp partners.byId': 1,
      'erp stock.bySku': 1,
      'mdm golden.product.bySku': 1,
    };
    expect(few.counts).toEqual(expected);
    expect(many.counts).toEqual(expected);
  });
});
