import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { showcaseMasterId } from '../test/e2e/groundTruth.js';
import { ROOT } from './gatewayPeers.js';

/** The operations every gateway serves in bench/gateway.ts: the same body, byte for byte. */
export interface BenchQuery {
  name: 'customer360' | 'customerList';
  description: string;
  /** The JSON request body. */
  body: string;
}

/** A page of 50 golden customers, each with what the 360 view shows most: orders down to stock, and CRM contacts. */
export const CUSTOMER_LIST_QUERY = `query CustomerList($first: Int!) {
  customers(first: $first) {
    nodes {
      id
      name
      orders(last: 3) {
        number
        total
        lines { quantity product { sku name stock { onHand } } }
      }
      contacts { name email }
    }
  }
}
`;

export async function benchQueries(pool: pg.Pool): Promise<BenchQuery[]> {
  const customer360 = await readFile(path.join(ROOT, 'test/e2e/customer360.graphql'), 'utf8');
  const id = await showcaseMasterId(pool);
  return [
    {
      name: 'customer360',
      description: `test/e2e/customer360.graphql for the showcase customer (${id})`,
      body: JSON.stringify({ query: customer360, variables: { id } }),
    },
    {
      name: 'customerList',
      description: '50 customers with orders (last 3) / lines / products / stock, and contacts',
      body: JSON.stringify({ query: CUSTOMER_LIST_QUERY, variables: { first: 50 } }),
    },
  ];
}
