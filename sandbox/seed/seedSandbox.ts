import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { migrate } from '../../platform/db/index.js';
import { SHOWCASE_PRODUCTS, seedCatalog } from './catalog.js';
import { SeedContext } from './context.js';
import { createCountryProfiles } from './countries.js';
import { seedCrmCompany } from './crmCompanies.js';
import { seedErpCustomer } from './erpCustomers.js';
import { Planter, type SeededCompany } from './plants.js';
import { SeedError } from './errors.js';
import { Random } from './random.js';
import { seedReferenceData } from './referenceData.js';
import { SHOWCASE, seedShowcase } from './showcase.js';
import { RESET_TABLES, SERIAL_TABLES } from './tables.js';
import { World } from './world.js';
import { SeedWriter } from './writer.js';

export interface SeedOptions {
  /** Same seed + same reference date = identical data. @default 42 */
  seed?: number;
  /** Real-world companies, the showcase included. @default 2000 */
  companies?: number;
  /** Real-world products. @default max(200, companies / 10), at most MAX_PRODUCTS */
  products?: number;
  /** Every date is relative to this day (UTC midnight). @default today, UTC */
  referenceDate?: Date;
  /** Empty the erp, crm and truth tables first instead of refusing a non-empty database. @default false */
  reset?: boolean;
  /** Called as companies are written: (companies done, companies in total). */
  onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  seed: number;
  companies: number;
  products: number;
  /** The reference day, YYYY-MM-DD. */
  referenceDate: string;
  /** Where the showcase company (company-00001, Globex) landed in each system. */
  showcase: { truthId: string; erpPartnerId: number; crmCompanyId: number };
  /** Rows written per table; CRM objects per type as "crm.companies", "crm.contacts", … */
  rows: Record<string, number>;
  durationMs: number;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_COMPANIES = 2_000;
export const MAX_COMPANIES = 10_000_000;
/** Each fictional manufacturer has a 5-digit GTIN item range (100,000 numbers); this keeps every range under half full. */
export const MAX_PRODUCTS = 200_000;

/**
 * Companies generated before their rows are handed to the writer. About
 * 2,500 orders and 5,000 CRM associations per chunk: big enough for
 * few-thousand-row statements, small enough to keep memory flat at any size.
 */
const CHUNK_COMPANIES = 1_000;

const MIGRATION_SETS = [
  { set: 'erp', dir: fileURLToPath(new URL('../erp/migrations/', import.meta.url)), schema: 'erp' },
  { set: 'crm', dir: fileURLToPath(new URL('../crm/migrations/', import.meta.url)), schema: 'crm' },
  { set: 'truth', dir: fileURLToPath(new URL('./migrations/', import.meta.url)), schema: 'truth' },
] as const;

/**
 * Fills the sandbox source systems: the Odoo-shaped ERP tables, the HubSpot
 * stand-in's objects and associations, and the ground truth saying which
 * records are the same real company or product.
 *
 * Steps: apply the migrations; refuse a database that already holds sandbox
 * data (SEED_NOT_EMPTY) unless `reset`; write the fixed reference data, the
 * product catalogue and the showcase customer; then the companies in chunks,
 * each chunk generated while the previous one is written; finally move the
 * serial sequences past the generated ids, record the run and ANALYZE.
 * Not one transaction (short transactions, PGlite's shared session): a failed
 * run leaves partial data, which a run with `reset` replaces.
 */
export async function seedSandbox(pool: pg.Pool, options: SeedOptions = {}): Promise<SeedSummary> {
  const started = performance.now();
  const { seed, companies, products, reference, reset } = resolveOptions(options);
  for (const set of MIGRATION_SETS) await migrate(pool, set);
  await prepareTarget(pool, reset);

  const countries = createCountryProfiles();
  const ctx = new SeedContext(seed, reference, countries);
  const world = new World(seed, countries);
  world.reserve({ domain: SHOWCASE.domain, vat: SHOWCASE.vat });
  const writer = new SeedWriter(pool);

  seedReferenceData(ctx);
  seedCatalog(ctx, world, products);
  ctx.settleReconciliation();
  const showcase = seedShowcase(ctx);
  ctx.settleReconciliation(SHOWCASE.truthId);
  const planter = new Planter(ctx);
  await writer.flush(ctx);
  options.onProgress?.(1, companies);

  let pending: Promise<void> = Promise.resolve();
  for (let first = 2; first <= companies; first += CHUNK_COMPANIES) {
    const last = Math.min(companies, first + CHUNK_COMPANIES - 1);
    for (let index = first; index <= last; index++) {
      const seeded = seedCompany(ctx, world, index);
      planter.offer(seeded);
      ctx.settleReconciliation(seeded.company.truthId);
    }
    await pending;
    pending = writer.flush(ctx).then(() => options.onProgress?.(last, companies));
  }
  await pending;
  const unsettled = ctx.ledger.unsettledPlants();
  if (unsettled.length > 0) throw new Error(`planted discrepancies the reconciliation truth does not expect: ${unsettled.join('; ')}`);

  await finishRun(pool, { seed, companies, products });
  return {
    seed,
    companies,
    products,
    referenceDate: new Date(reference).toISOString().slice(0, 10),
    showcase: { truthId: SHOWCASE.truthId, ...showcase },
    rows: writer.rows,
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * One real company into the systems that know it: 70 % both, 15 % only the
 * ERP, 15 % only the CRM; in each system it is in, a 2 % chance of a second,
 * duplicate record.
 */
function seedCompany(ctx: SeedContext, world: World, index: number): SeededCompany {
  const company = world.company(index);
  const rng = new Random(ctx.seed, 4, index);
  const presence = rng.weighted([['both', 70], ['erp', 15], ['crm', 15]] as const);
  const seeded: SeededCompany = { company, erpIds: [], crmIds: [] };
  if (presence !== 'crm') {
    seeded.erpIds.push(seedErpCustomer(ctx, company, rng, 'primary'));
    if (rng.chance(0.02)) seeded.erpIds.push(seedErpCustomer(ctx, company, rng, 'duplicate'));
  }
  if (presence !== 'erp') {
    seeded.crmIds.push(seedCrmCompany(ctx, company, rng, 'primary'));
    if (rng.chance(0.02)) seeded.crmIds.push(seedCrmCompany(ctx, company, rng, 'duplicate'));
  }
  return seeded;
}

function resolveOptions(options: SeedOptions) {
  const seed = options.seed ?? DEFAULT_SEED;
  const companies = options.companies ?? DEFAULT_COMPANIES;
  const products = options.products ?? Math.min(MAX_PRODUCTS, Math.max(200, Math.floor(companies / 10)));
  checkInteger('seed', seed, 0, 2_147_483_647);
  checkInteger('companies', companies, 1, MAX_COMPANIES);
  checkInteger('products', products, SHOWCASE_PRODUCTS, MAX_PRODUCTS);
  const day = options.referenceDate ?? new Date();
  if (Number.isNaN(day.getTime())) throw new SeedError('SEED_INVALID_OPTIONS', 'invalid option referenceDate: expected a valid Date, got an invalid one');
  const reference = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate());
  return { seed, companies, products, reference, reset: options.reset ?? false };
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new SeedError('SEED_INVALID_OPTIONS', `invalid option ${name}: expected an integer from ${min} to ${max}, got ${value}`);
  }
}

async function prepareTarget(pool: pg.Pool, reset: boolean): Promise<void> {
  if (reset) {
    await pool.query(`TRUNCATE ${RESET_TABLES.join(', ')} RESTART IDENTITY CASCADE`);
    return;
  }
  const { rows } = await pool.query<{ partners: boolean; objects: boolean }>(
    'SELECT EXISTS (SELECT 1 FROM erp.res_partner) AS partners, EXISTS (SELECT 1 FROM crm.objects) AS objects',
  );
  if (rows[0].partners || rows[0].objects) {
    throw new SeedError(
      'SEED_NOT_EMPTY',
      `the sandbox already holds data (${rows[0].partners ? 'erp.res_partner' : 'crm.objects'} has rows): seeding again would mix two datasets; pass reset (--reset) to replace it`,
    );
  }
}

async function finishRun(pool: pg.Pool, run: { seed: number; companies: number; products: number }): Promise<void> {
  // Ids came from the generator; later inserts (Odoo-style writes, the CRM's POST) must continue after them.
  for (const table of SERIAL_TABLES) {
    await pool.query(`SELECT setval(pg_get_serial_sequence('${table}', 'id'), COALESCE((SELECT max(id) FROM ${table}), 0) + 1, false)`);
  }
  await pool.query(`SELECT setval('crm.object_id_seq', GREATEST((SELECT max(id) FROM crm.objects), 10000000) + 1, false)`);
  await pool.query('INSERT INTO truth.seed_run (seed, companies, products) VALUES ($1, $2, $3)', [run.seed, run.companies, run.products]);
  // Fresh statistics, or the first queries plan for empty tables.
  await pool.query(`ANALYZE ${[...SERIAL_TABLES, 'crm.objects', 'crm.associations', 'truth.entity', 'truth.recon_finding'].join(', ')}`);
}


