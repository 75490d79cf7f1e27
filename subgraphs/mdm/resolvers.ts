import { GraphQLError } from 'graphql';
import type pg from 'pg';
import type { GraphQLResolverMap } from '@apollo/subgraph/dist/schema-helper/resolverMap.js';
import type { Principal } from '../../platform/auth/index.js';
import type { MdmLoaders } from './loaders.js';
import type { GoldenEntityType, GoldenRecord, MdmStore, XrefLink } from './mdmStore.js';

export interface MdmContext {
  loaders: MdmLoaders;
  /** The caller (see principalFromRequest): the actor of steward operations. */
  principal: Principal;
  /** The MDM store's reads that are not per-id (entity types of master ids). */
  store: MdmStore;
  /** The MDM store's pool, for the engine's search and steward operations (one transaction each). */
  pool: pg.Pool;
}

/** `first` bounds for the connections: 100 keeps a page's downstream fan-out bounded. */
export const MAX_PAGE_SIZE = 100;

const CURSOR_PREFIX = 'golden:';

/** Cursors are opaque to clients: the master id the page continues after, base64url. */
export function encodeCursor(masterId: string): string {
  return Buffer.from(CURSOR_PREFIX + masterId, 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string): string {
  const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!decoded.startsWith(CURSOR_PREFIX) || decoded.length === CURSOR_PREFIX.length) {
    throw new GraphQLError(`"after" is not a cursor this graph returned: ${JSON.stringify(cursor)}`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'after' },
    });
  }
  return decoded.slice(CURSOR_PREFIX.length);
}

export function pageSize(first: number | null | undefined): number {
  const size = first ?? 20;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) {
    throw new GraphQLError(`"first" must be from 0 to ${MAX_PAGE_SIZE}, got ${size}`, {
      extensions: { code: 'BAD_USER_INPUT', argumentName: 'first' },
    });
  }
  return size;
}

async function connection(ctx: MdmContext, entityType: GoldenEntityType, args: { first?: number | null; after?: string | null }) {
  const first = pageSize(args.first);
  const after = args.after ? decodeCursor(args.after) : null;
  const page = await ctx.loaders.page(entityType, first, after);
  const edges = page.records.map((node) => ({ cursor: encodeCursor(node.masterId), node }));
  return {
    edges,
    nodes: page.records,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: after !== null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges.at(-1)?.cursor ?? null,
    },
  };
}

/** Attribute values are survived from sources as they came; the graph serves them as strings. */
function text(record: GoldenRecord, attribute: string): string | null {
  const value = record.attributes[attribute];
  return value === undefined || value === null || value === '' ? null : String(value);
}

/** The xref's systems, as the SourceSystem enum; systems the graph does not know yet are left out. */
const knownSystems: Record<string, 'ERP' | 'CRM'> = { erp: 'ERP', crm: 'CRM' };

function sources(record: GoldenRecord) {
  return record.links
    .filter((link) => knownSystems[link.system] !== undefined)
    .map((link: XrefLink) => ({
      system: knownSystems[link.system],
      sourceId: link.sourceId,
      // A match probability: four decimals say all it means; more is float noise.
      matchScore: link.score === null ? null : Math.round(link.score * 1e4) / 1e4,
      rule: link.rule,
      linkedAt: link.linkedAt,
    }));
}

function sourceIds(record: GoldenRecord, system: string): string[] {
  return record.links.filter((link) => link.system === system).map((link) => link.sourceId);
}

const customerFields = {
  id: (record: GoldenRecord) => record.masterId,
  name: (record: GoldenRecord) => text(record, 'name'),
  taxId: (record: GoldenRecord) => text(record, 'taxId'),
  primaryEmail: (record: GoldenRecord) => text(record, 'primaryEmail'),
  domain: (record: GoldenRecord) => text(record, 'domain'),
  phone: (record: GoldenRecord) => text(record, 'phone'),
  address(record: GoldenRecord) {
    const address = {
      street: text(record, 'street'),
      city: text(record, 'city'),
      postcode: text(record, 'postcode'),
      country: text(record, 'country'),
    };
    return Object.values(address).some((value) => value !== null) ? address : null;
  },
  sources,
  erpPartnerIds: (record: GoldenRecord) => sourceIds(record, 'erp'),
  crmCompanyIds: (record: GoldenRecord) => sourceIds(record, 'crm'),
};

const productFields = {
  id: (record: GoldenRecord) => record.masterId,
  sku: (record: GoldenRecord) => text(record, 'sku'),
  gtin: (record: GoldenRecord) => text(record, 'gtin'),
  name: (record: GoldenRecord) => text(record, 'name'),
  manufacturer: (record: GoldenRecord) => text(record, 'manufacturer'),
  description: (record: GoldenRecord) => text(record, 'description'),
  sources,
  erpProductIds: (record: GoldenRecord) => sourceIds(record, 'erp'),
  crmProductIds: (record: GoldenRecord) => sourceIds(record, 'crm'),
};

/**
 * Resolvers of the MDM subgraph. Entity references and root lookups both go
 * through the request's loaders, so `_entities` with any number of
 * representations is one statement per entity type (and key).
 */
export const mdmResolvers: GraphQLResolverMap<MdmContext> = {
  Query: {
    customer: (_root: unknown, args: { id: string }, ctx: MdmContext) => ctx.loaders.customersById.load(args.id),
    customers: (_root: unknown, args: { first?: number | null; after?: string | null }, ctx: MdmContext) =>
      connection(ctx, 'customer', args),
    product: (_root: unknown, args: { id: string }, ctx: MdmContext) => ctx.loaders.productsById.load(args.id),
    products: (_root: unknown, args: { first?: number | null; after?: string | null }, ctx: MdmContext) =>
      connection(ctx, 'product', args),
    productBySku: (_root: unknown, args: { sku: string }, ctx: MdmContext) => ctx.loaders.productsBySku.load(args.sku),
  },
  Customer: {
    __resolveReference: (reference: { id: string }, ctx: MdmContext) => ctx.loaders.customersById.load(reference.id),
    ...customerFields,
  },
  Product: {
    // Either key may come: `{ id }` from MDM-aware callers, `{ sku }` from the ERP's order lines.
    __resolveReference(reference: { id?: string; sku?: string }, ctx: MdmContext) {
      if (reference.id !== undefined) return ctx.loaders.productsById.load(reference.id);
      if (reference.sku !== undefined) return ctx.loaders.productsBySku.load(reference.sku);
      return null;
    },
    ...productFields,
  },
};
