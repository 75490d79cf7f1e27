import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';

/**
 * @apollo/gateway sends one representation per occurrence of an entity in
 * the response so far: a page of orders whose lines name the same products
 * again and again makes an `_entities` fetch with each product many times. The subgraph resolves,
 * serialises and sends each repeat, and the gateway parses it again (Apollo
 * Router deduplicates them for the same reason). Here each distinct
 * representation is asked once and the answer handed to every position that
 * asked for it.
 */
export interface UniqueRepresentations {
  /** The distinct representations, in order of first occurrence. */
  unique: unknown[];
  /** For each original position, the index of its representation in `unique`. */
  indexOf: Uint32Array;
}

/** The distinct representations of a fetch, or undefined when there are no repeats (nothing to gain). */
export function uniqueRepresentations(representations: readonly unknown[]): UniqueRepresentations | undefined {
  if (representations.length < 2) return undefined;
  const seen = new Map<string, number>();
  const unique: unknown[] = [];
  const indexOf = new Uint32Array(representations.length);
  for (let i = 0; i < representations.length; i++) {
    const key = JSON.stringify(representations[i]);
    let index = seen.get(key);
    if (index === undefined) {
      index = unique.length;
      seen.set(key, index);
      unique.push(representations[i]);
    }
    indexOf[i] = index;
  }
  return unique.length === representations.length ? undefined : { unique, indexOf };
}

/**
 * The answer for the original positions: each gets the entity of its
 * representation — a shallow copy past the first, since the gateway writes
 * into each entity it merges (its `__typename`) — and errors about an
 * `_entities` index are repeated at every position of that representation,
 * as the subgraph would have reported them for each repeat.
 */
export function expandEntities(response: GatewayGraphQLResponse, plan: UniqueRepresentations): GatewayGraphQLResponse {
  const received = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  const expanded: GatewayGraphQLResponse = { ...response };
  // A failed fetch has no `_entities` (or not one per representation): only its errors' paths need expanding.
  if (Array.isArray(received) && received.length === plan.unique.length) {
    const used = new Uint8Array(plan.unique.length);
    const entities = new Array<unknown>(plan.indexOf.length);
    for (let i = 0; i < plan.indexOf.length; i++) {
      const j = plan.indexOf[i];
      const entity = received[j];
      entities[i] = used[j] && entity !== null && typeof entity === 'object' ? { ...entity } : entity;
      used[j] = 1;
    }
    expanded.data = { ...response.data, _entities: entities };
  }
  if (response.errors?.length) {
    expanded.errors = response.errors.flatMap((error) => {
      const path = error.path;
      if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return [error];
      const positions: number[] = [];
      for (let i = 0; i < plan.indexOf.length; i++) if (plan.indexOf[i] === path[1]) positions.push(i);
      return positions.map((i) => ({ ...error, path: ['_entities', i, ...path.slice(2)] }));
    });
  }
  return expanded;
}
