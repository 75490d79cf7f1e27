import DataLoader from 'dataloader';
import type { SourceRequestListener } from './sourceRequests.js';

/**
 * A per-request DataLoader over one source query. `fetchMany` receives the
 * distinct keys of one tick and returns a Map; keys it does not return resolve
 * to `missing` (null for "no such row", [] for "no children") rather than an
 * error, because absence is an answer, not a failure. A failed batch rejects
 * every key of that batch and is not cached (DataLoader's own rule), so a retry
 * in a later request asks the source again.
 */
export function createSourceLoader<K extends string | number, V>(options: {
  source: string;
  operation: string;
  fetchMany: (keys: readonly K[]) => Promise<Map<K, V>>;
  missing: () => V;
  onSourceRequest?: SourceRequestListener;
  /** @default 1000, the size at which an `= ANY($1)` array stays cheap to plan */
  maxBatchSize?: number;
}): DataLoader<K, V> {
  return new DataLoader<K, V>(
    async (keys) => {
      options.onSourceRequest?.({ source: options.source, operation: options.operation, size: keys.length });
      const found = await options.fetchMany(keys);
      return keys.map((key) => (found.has(key) ? (found.get(key) as V) : options.missing()));
    },
    { maxBatchSize: options.maxBatchSize ?? 1000 },
  );
}

/** Groups rows by a key, keeping row order: the shape one-to-many loaders return. */
export function groupBy<K, R>(rows: readonly R[], keyOf: (row: R) => K): Map<K, R[]> {
  const groups = new Map<K, R[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
