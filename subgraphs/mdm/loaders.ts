import type DataLoader from 'dataloader';
import { createSourceLoader, type SourceRequestListener } from '../../platform/index.js';
import type { GoldenEntityType, GoldenPage, GoldenRecord, MdmStore } from './mdmStore.js';

/**
 * One set per request. Each loader is one statement per tick for one entity
 * type; a record found by SKU is also primed into the by-id loader, so a
 * later lookup by its master id in the same request costs nothing.
 */
export interface MdmLoaders {
  customersById: DataLoader<string, GoldenRecord | null>;
  productsById: DataLoader<string, GoldenRecord | null>;
  productsBySku: DataLoader<string, GoldenRecord | null>;
  /** One page of golden records (one statement); its records are primed into the by-id loader. */
  page(entityType: GoldenEntityType, first: number, after: string | null): Promise<GoldenPage>;
}

export function createMdmLoaders(store: MdmStore, onSourceRequest?: SourceRequestListener): MdmLoaders {
  const byId = (entityType: 'customer' | 'product') =>
    createSourceLoader<string, GoldenRecord | null>({
      source: 'mdm',
      operation: `golden.${entityType}.byId`,
      onSourceRequest,
      missing: () => null,
      fetchMany: async (ids) => new Map((await store.goldenByIds(entityType, ids)).map((row) => [row.masterId, row])),
    });
  const productsById = byId('product');
  const customersById = byId('customer');
  return {
    customersById,
    productsById,
    productsBySku: createSourceLoader<string, GoldenRecord | null>({
      source: 'mdm',
      operation: 'golden.product.bySku',
      keyName: 'sku',
      onSourceRequest,
      missing: () => null,
      fetchMany: async (skus) => {
        const rows = await store.productsBySkus(skus);
        for (const row of rows) productsById.prime(row.masterId, row);
        return new Map(rows.map((row) => [row.sku, row]));
      },
    }),
    async page(entityType, first, after) {
      onSourceRequest?.({ source: 'mdm', operation: `golden.${entityType}.page`, size: first });
      const page = await store.goldenPage(entityType, first, after);
      const loader = entityType === 'customer' ? customersById : productsById;
      for (const record of page.records) loader.prime(record.masterId, record);
      return page;
    },
  };
}
