import DataLoader from 'dataloader';
import type { SourceRequestListener } from './sourceRequests.js';
import { badTextInput, textInputProblem } from './textInput.js';

/**
 * A per-request DataLoader over one source query. `fetchMany` receives the
 * distinct keys of one tick and returns a Map; keys it does not return resolve
 * to `missing` (null for "no such row", [] for "no children") rather than an
 * error, because absence is an answer, not a failure. A failed batch rejects
 * every key of that batch and is not cached (DataLoader's own rule), so a retry
 * in a later request asks the source again.
 *
 * A text key no source can hold (a NUL character, a lone surrogate) resolves
 * to its own BAD_USER_INPUT error and is left out of the batch, so one bad key
 * neither reaches the source nor fails the other keys of its tick.
 */
export function createSourceLoader<K extends string | number, V>(options: {
  source: string;
  operation: string;
  fetchMany: (keys: readonly K[]) => Promise<Map<K, V>>;
  missing: () => V;
  onSourceRequest?: SourceRequestListener;
  /** What a key is called in a BAD_USER_INPUT error. @default 'id' */
  keyName?: string;
  /** @default 1000, the size at which an `= ANY($1)` array stays cheap to plan */
  maxBatchSize?: number;
}): DataLoader<K, V> {
  return new DataLoader<K, V>(
    async (keys) => {
      const problems = new Map<K, string>();
      for (const key of keys) {
        const problem = typeof key === 'string' ? textInputProblem(key) : undefined;
        if (problem) problems.set(key, problem);
      }
      const sent = problems.size ? keys.filter((key) => !problems.has(key)) : keys;
      let found = new Map<K, V>();
      if (sent.length) {
        options.onSourceRequest?.({ source: options.source, operation: options.operation, size: sent.length });
        found = await options.fetchMany(sent);
      }
      return keys.map((key) => {
        const problem = problems.get(key);
        if (problem) return badTextInput(options.keyName ?? 'id', problem);
        return found.has(key) ? (found.get(key) as V) : options.missing();
      });
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
