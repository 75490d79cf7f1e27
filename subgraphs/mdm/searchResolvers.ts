import { searchGoldenRecords, type SearchOptions } from '../../mdm/index.js';
import type { GoldenEntityType, GoldenRecord } from './mdmStore.js';
import { assertTextInput } from '../../platform/index.js';
import { badUserInput, callEngine } from './mdmErrors.js';
import { decodeOffsetCursor, encodeOffsetCursor } from './offsetCursors.js';
import { pageSize, type MdmContext } from './resolvers.js';

interface SearchArgs {
  name?: string | null;
  taxId?: string | null;
  domain?: string | null;
  sku?: string | null;
  gtin?: string | null;
  first?: number | null;
  after?: string | null;
}

/** Criteria longer than this are not names or identifiers; refusing them keeps trigram work bounded. */
const MAX_CRITERION_LENGTH = 200;

type Criterion = 'name' | 'taxId' | 'domain' | 'sku' | 'gtin';

const criteriaOf: Record<GoldenEntityType, readonly Criterion[]> = {
  customer: ['name', 'taxId', 'domain'],
  product: ['name', 'sku', 'gtin'],
};

/**
 * Search over golden records, through the engine's `searchGoldenRecords`
 * (fuzzy name by trigram similarity, identifiers standardised and matched
 * against every linked source record). The engine answers the page of master
 * ids; the records themselves come through the request's by-id loader, so a
 * search hit is served exactly like `customer(id)` (same attribute and
 * source shapes) and primed for the rest of the request.
 */
async function searchConnection(ctx: MdmContext, entityType: GoldenEntityType, args: SearchArgs) {
  const criteria: Partial<Pick<SearchOptions, Criterion>> = {};
  for (const key of criteriaOf[entityType]) {
    assertTextInput(args[key], key);
    const value = args[key]?.trim();
    if (!value) continue;
    if (value.length > MAX_CRITERION_LENGTH) throw badUserInput(`"${key}" is longer than ${MAX_CRITERION_LENGTH} characters`, key);
    criteria[key] = value;
  }
  if (Object.keys(criteria).length === 0) {
    throw badUserInput(`search needs at least one non-empty criterion: ${criteriaOf[entityType].join(', ')}`);
  }
  const first = pageSize(args.first);
  const offset = args.after ? decodeOffsetCursor(args.after) : 0;
  if (first === 0) return connectionOf([], offset, 0, false);

  const page = await callEngine(`search.${entityType}`, () =>
    searchGoldenRecords(ctx.pool, { entityType, ...criteria, first, after: args.after ?? undefined }));
  const loader = entityType === 'customer' ? ctx.loaders.customersById : ctx.loaders.productsById;
  const records = await loader.loadMany(page.nodes.map((node) => node.masterId));
  // A record merged away between the two reads is left out rather than answered stale.
  const hits = page.nodes.flatMap((node, i) => {
    const record = records[i];
    return record && !(record instanceof Error) ? [{ record, similarity: node.similarity, position: i }] : [];
  });
  return connectionOf(hits, offset, page.nodes.length, page.hasNextPage);
}

/** `read` is how many hits the engine returned: the next page starts after them, even if the last was left out. */
function connectionOf(
  hits: { record: GoldenRecord; similarity: number | null; position: number }[],
  offset: number,
  read: number,
  hasNextPage: boolean,
) {
  const edges = hits.map((hit) => ({
    cursor: encodeOffsetCursor(offset + hit.position + 1),
    node: hit.record,
    similarity: hit.similarity === null ? null : Number(hit.similarity),
  }));
  return {
    edges,
    nodes: edges.map((edge) => edge.node),
    pageInfo: {
      hasNextPage,
      hasPreviousPage: offset > 0,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: read > 0 ? encodeOffsetCursor(offset + read) : null,
    },
  };
}

export const searchResolvers = {
  Query: {
    searchCustomers: (_root: unknown, args: SearchArgs, ctx: MdmContext) => searchConnection(ctx, 'customer', args),
    searchProducts: (_root: unknown, args: SearchArgs, ctx: MdmContext) => searchConnection(ctx, 'product', args),
  },
};
