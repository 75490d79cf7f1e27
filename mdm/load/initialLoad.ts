import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/index.js';
import { entityConfig } from '../entities/index.js';
import { standardiseRecord } from '../standardise/index.js';
import { runBatchMatch, type BatchSummary } from '../store/runBatch.js';
import { upsertSourceRecords } from '../store/sourceRecords.js';
import type { SourceRecord } from '../types.js';
import { crmTableReader, hubSpotReader, readCrmCustomers, readCrmProducts, type CrmReader } from './crmReader.js';
import { readErpCustomers, readErpProducts } from './erpReader.js';

/** The MDM store's migrations (mdm/store/migrations), applied to schema "mdm". */
export const MDM_MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'store', 'migrations');

export async function migrateMdm(pool: pg.Pool): Promise<string[]> {
  return migrate(pool, { set: 'mdm', dir: MDM_MIGRATIONS_DIR, schema: 'mdm' });
}

export interface InitialLoadOptions {
  /** Who the history says ran the load. @default 'system' */
  actor?: string;
  /** The ERP database; absent: the MDM pool (one DATABASE_URL holds every schema). */
  erpPool?: pg.Pool;
  /** The schema of Odoo's tables. @default 'erp' */
  erpSchema?: string;
  /** Skip the ERP. @default false */
  skipErp?: boolean;
  /** The CRM's HubSpot API base URL and private-app token. */
  crmBaseUrl?: string;
  crmToken?: string;
  /** Any CRM reader (e.g. crmTableReader(pool)); wins over crmBaseUrl/crmToken. Without either, the CRM is skipped. */
  crm?: CrmReader;
  /** @default 'auto' (see runBatchMatch) */
  mode?: 'model' | 'deterministic' | 'auto';
}

export interface LoadSummary {
  migrations: string[];
  /** Records read per entity type and system, e.g. { customer: { erp: 40, crm: 38 } }. */
  sources: Record<string, Record<string, number>>;
  customers: BatchSummary;
  products: BatchSummary;
  durationMs: number;
}

/**
 * The first MDM load, run by `npm start` after the sandbox is seeded:
 * migrate the MDM store, read customers and products from the ERP (SQL) and
 * the CRM (its HubSpot API), store them as source records, match, and write
 * golden records, xref and a 'load' history event.
 *
 * Idempotent: a re-run re-reads the sources and keeps every master id whose
 * cluster survives (see applyClusters).
 */
export async function runInitialLoad(pool: pg.Pool, options: InitialLoadOptions = {}): Promise<LoadSummary> {
  const started = performance.now();
  const migrations = await migrateMdm(pool);
  const crm = options.crm ?? (options.crmBaseUrl && options.crmToken ? hubSpotReader({ baseUrl: options.crmBaseUrl, token: options.crmToken }) : undefined);
  const erpPool = options.erpPool ?? pool;

  const customers: SourceRecord[] = [];
  const products: SourceRecord[] = [];
  if (!options.skipErp) {
    customers.push(...await readErpCustomers(erpPool, { schema: options.erpSchema }));
    products.push(...await readErpProducts(erpPool, { schema: options.erpSchema }));
  }
  if (crm) {
    customers.push(...await readCrmCustomers(crm));
    products.push(...await readCrmProducts(crm));
  }
  const sources: LoadSummary['sources'] = { customer: countBySystem(customers), product: countBySystem(products) };

  const summaries: Record<string, BatchSummary> = {};
  for (const [entityType, records] of [['customer', customers], ['product', products]] as const) {
    const config = entityConfig(entityType);
    await upsertSourceRecords(pool, records.map((r) => standardiseRecord(r, config.attributes)));
    summaries[entityType] = await runBatchMatch(pool, entityType, { actor: options.actor ?? 'system', action: 'load', mode: options.mode, reason: 'initial load' });
  }
  // The load writes every source record, golden record and link at once. PostgreSQL's autovacuum analyzes
  // them some time later; PGlite (the demo stack, the bench) never does, and without statistics the MDM
  // subgraph's plans sorted every active record for a page of 50 and read the xref primary key's whole
  // entity type for each record's links (issue 14: a page of 50 customers 21.5 -> 6.7 ms on PGlite).
  await pool.query('ANALYZE mdm.source_record, mdm.golden_record, mdm.xref');
  return { migrations, sources, customers: summaries.customer, products: summaries.product, durationMs: Math.round(performance.now() - started) };
}

function countBySystem(records: SourceRecord[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const r of records) counts[r.system] = (counts[r.system] ?? 0) + 1;
  return counts;
}

export { crmTableReader, hubSpotReader, type CrmReader };
