import type { GoldenEntity } from '../../platform/events/changeEvents.js';

/**
 * What the entity cache may keep (issue 14): data that changes rarely, is
 * read everywhere, and whose changes arrive as golden-record change events —
 * golden customers and products, product names and list prices. Everything
 * else (orders, invoices, stock, CRM activity) has no change event and is
 * always fetched.
 *
 * Decisions are data: a policy is a plain object, printed in the README and
 * checked at start.
 */
export interface EntityCacheRule {
  subgraph: string;
  /** An entity type fetched through `_entities` (e.g. Customer), or a root field (`Query.customer`). */
  typename?: string;
  rootField?: string;
  /** The golden entity whose change events invalidate what this rule caches. */
  entity: GoldenEntity;
  /**
   * For entity fetches: the only fields a cached selection may ask for at its
   * top level (e.g. the ERP's Product: `listPrice` yes, `stock` no). Unset:
   * any field of the type.
   */
  fields?: readonly string[];
  /** For root fields: the argument holding the master id (tags the entry for precise invalidation). */
  idArgument?: string;
}

export interface EntityCachePolicy {
  rules: readonly EntityCacheRule[];
  /**
   * How long an entry lives when no change event removes it first: the bound
   * on staleness if an event is lost or no pipeline runs. @default 300
   */
  ttlSec: number;
}

/** The shipped policy: golden records from the MDM; from the ERP, product list prices only. */
export const DEFAULT_ENTITY_CACHE_POLICY: EntityCachePolicy = {
  ttlSec: 300,
  rules: [
    { subgraph: 'mdm', typename: 'Customer', entity: 'customer' },
    { subgraph: 'mdm', typename: 'Product', entity: 'product' },
    { subgraph: 'mdm', rootField: 'customer', idArgument: 'id', entity: 'customer' },
    { subgraph: 'mdm', rootField: 'product', idArgument: 'id', entity: 'product' },
    { subgraph: 'erp', typename: 'Product', entity: 'product', fields: ['__typename', 'sku', 'listPrice'] },
  ],
};

/**
 * Invalidation tags: `customer:<master id>` for an entry found by master id;
 * `product:sku=<sku>` for one found by another key (events name the values of
 * those keys); `product:*` on the latter too, for an event that names no keys.
 */
export function recordTag(entity: GoldenEntity, masterId: string): string {
  return `${entity}:${masterId}`;
}

export function keyTag(entity: GoldenEntity, field: string, value: string): string {
  return `${entity}:${field}=${value}`;
}

export function classTag(entity: GoldenEntity): string {
  return `${entity}:*`;
}
