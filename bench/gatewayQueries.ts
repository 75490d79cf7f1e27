import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { showcaseMasterId } from '../test/e2e/groundTruth.js';
import { ROOT } from './gatewayPeers.js';

/** The operations every gateway serves in bench/gateway.ts: the same body, byte for byte. */
export interface BenchQuery {
  name: 'customer360' | 'customerList' | 'deepList' | 'customer360EachCold' | 'customer360EachWarm';
  description: string;
  /** The JSON request body (the first of `bodies` when there are several). */
  body: string;
  /**
   * Several bodies sent in turn, one per request (a different customer each
   * time: no deduplication, no answer repeated within a pass).
   */
  rotation?: { prefix: string; values: string[]; suffix: string; warmupValues: string[] };
  /**
   * `cold`: a fresh gateway process (empty entity cache), JIT warm-up on other
   * customers, then measured. `warm`: one pass over every measured customer
   * first, then measured.
   */
  cache?: 'cold' | 'warm';
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

/**
 * The large-response query of issue 14: 50 customers, each with orders (last
 * 5), their lines, each line's product (name from the MDM, list price and
 * stock from the ERP) and stock, plus CRM contacts and deals — entity lists
 * nested five levels (customers > orders > lines > product > stock) over all
 * three subgraphs, ~100 KB per answer on the default seed.
 */
export const DEEP_LIST_QUERY = `query DeepList($first: Int!) {
  customers(first: $first) {
    nodes {
      id
      name
      domain
      sources { system sourceId matchScore }
      orders(last: 5) {
        number
        date
        state
        total
        lines { description quantity unitPrice subtotal product { sku name listPrice stock { onHand reserved available } } }
      }
      contacts { name email phone }
      deals { name stage amount closeDate }
    }
  }
}
`;

/** Master ids of golden customers, in a fixed order, for the rotating customer 360. */
async function customerIds(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ master_id: string }>(`SELECT DISTINCT master_id FROM mdm.xref WHERE entity_type = 'customer' ORDER BY master_id`);
  return rows.map((r) => r.master_id);
}

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
    {
      name: 'deepList',
      description: '50 customers > orders (last 5) > lines > product (MDM name, ERP price) > stock, and CRM contacts and deals: five levels over three subgraphs',
      body: JSON.stringify({ query: DEEP_LIST_QUERY, variables: { first: 50 } }),
    },
    ...(await rotatingCustomer360(pool, customer360)),
  ];
}

/**
 * The customer 360 with a different customer on every request: the first 200
 * customers warm the JIT up, the others are measured in turn (a pass over them
 * outlasts most measured windows, so a cold cache sees each customer once).
 */
async function rotatingCustomer360(pool: pg.Pool, query: string): Promise<BenchQuery[]> {
  const ids = await customerIds(pool);
  const marker = '@@ID@@';
  const template = JSON.stringify({ query, variables: { id: marker } });
  const [prefix, suffix] = template.split(marker);
  const rotation = { prefix, suffix, warmupValues: ids.slice(0, 200), values: ids.slice(200) };
  const first = `${prefix}${rotation.values[0]}${suffix}`;
  const described = `test/e2e/customer360.graphql for ${rotation.values.length} golden customers in turn`;
  return [
    { name: 'customer360EachCold', description: `${described}; fresh gateway, empty cache (JIT warmed on 200 other customers)`, body: first, rotation, cache: 'cold' },
    { name: 'customer360EachWarm', description: `${described}; after one pass over all of them`, body: first, rotation, cache: 'warm' },
  ];
}
