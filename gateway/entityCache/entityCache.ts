import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { Logger } from 'pino';
import { Counter, type Registry } from 'prom-client';
import type { GoldenChangeFeed, GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import { classTag, keyTag, recordTag, type EntityCachePolicy } from './cachePolicy.js';
import type { EntityCacheEntry, EntityCacheStore } from './entityCacheStore.js';
import { entityTags, fetchShapeOf, type FetchShape } from './fetchShape.js';

type Variables = Record<string, unknown> | undefined;
type Send = (variables: Variables) => Promise<GatewayGraphQLResponse>;
type LookupResult = 'hit' | 'miss' | 'error';

const MAX_SHAPES = 2_000;

/**
 * The gateway's entity cache (issue 14, ADR 0014): subgraph answers for
 * golden customers and products, per entity and selection, kept until a
 * golden-record change event names them (TTL as the fallback).
 *
 * It sits in the data source, between the query plan and the subgraph: an
 * `_entities` fetch asks the subgraph only for the representations it does not
 * hold, and the answers are put back in plan order. Keys hold the caller's
 * partition (the scope set the subgraph answered for: PII masking and field
 * rules depend on it), the fetch text and the representation or variables,
 * so one caller's answer never reaches a caller with other scopes.
 *
 * Freshness: an invalidation bumps `#epoch` before removing entries, and an
 * answer is stored only if no invalidation began while it was being fetched;
 * so once a change event is processed, no answer read before it can be served.
 */
export class EntityCache {
  readonly #shapes = new Map<string, FetchShape>();
  readonly #seen = new Set<string>();
  readonly #lookups: Counter<'subgraph' | 'type' | 'result'>;
  readonly #invalidations: Counter<'entity' | 'kind'>;
  readonly #lookupChildren = new Map<string, { inc(n?: number): void }>();
  #epoch = 0;
  #storeFailed = false;

  constructor(
    readonly policy: EntityCachePolicy,
    private readonly store: EntityCacheStore,
    options: { registry?: Registry; logger?: Logger } = {},
  ) {
    this.logger = options.logger;
    const registers = options.registry ? [options.registry] : [];
    this.#lookups = new Counter({
      name: 'concord_gateway_entity_cache_lookups_total',
      help: 'Entity cache lookups by subgraph, entity type (or root field) and result (hit, miss, error = store unreachable, fetched instead).',
      labelNames: ['subgraph', 'type', 'result'] as const,
      registers,
    });
    this.#invalidations = new Counter({
      name: 'concord_gateway_entity_cache_invalidations_total',
      help: 'Golden-record change events applied to the entity cache, by entity and change kind (entity="all", kind="gap": emptied after the change feed may have missed events).',
      labelNames: ['entity', 'kind'] as const,
      registers,
    });
  }

  private readonly logger: Logger | undefined;

  /**
   * Bumped by every invalidation. A subgraph call already on its way when it
   * changed must not be shared with a fetch that read the cache after it: that
   * fetch would get, and store, the answer from before the change.
   */
  get epoch(): number {
    return this.#epoch;
  }

  /**
   * Apply golden-record changes from a feed (in-process or NATS) until the
   * returned function is called; when the feed may have missed changes
   * (NATS reconnected), drop everything: no entry can be shown fresh.
   */
  follow(feed: GoldenChangeFeed): () => void {
    const unsubscribe = feed.subscribe((change) => {
      this.applyChange(change).catch((error: unknown) => this.logger?.error({ err: error, eventId: change.eventId }, 'entity cache invalidation failed'));
    });
    const stopGaps = feed.onGap?.(() => {
      this.logger?.warn('golden-record changes may have been missed (change feed reconnected): entity cache emptied');
      this.clear().catch((error: unknown) => this.logger?.error({ err: error }, 'entity cache could not be emptied'));
    });
    return () => {
      unsubscribe();
      stopGaps?.();
    };
  }

  /** Drop every entry (and keep no answer that was in flight): after missed changes. */
  async clear(): Promise<number> {
    this.#epoch++;
    const removed = await this.store.clear();
    this.#invalidations.labels('all', 'gap').inc();
    return removed;
  }

  /**
   * Remove what a change makes stale: the record, the records merged into or
   * split from it, and the entries found by the key values the event names
   * (a product's SKUs before and after) — every entry found by another key
   * when it names none.
   */
  async applyChange(change: GoldenRecordChanged): Promise<number> {
    if (this.#seen.has(change.eventId)) return 0;
    this.#remember(change.eventId);
    this.#epoch++;
    const tags = [recordTag(change.entity, change.masterId), ...change.relatedMasterIds.map((id) => recordTag(change.entity, id))];
    if (change.keys) {
      for (const [field, values] of Object.entries(change.keys)) for (const value of values) tags.push(keyTag(change.entity, field, value));
    } else {
      tags.push(classTag(change.entity));
    }
    const removed = await this.store.invalidate(tags);
    this.#invalidations.labels(change.entity, change.kind).inc();
    return removed;
  }

  /** At-least-once delivery repeats events; a bounded memory of ids makes a repeat free. */
  #remember(eventId: string): void {
    if (this.#seen.size >= 10_000) this.#seen.delete(this.#seen.values().next().value!);
    this.#seen.add(eventId);
  }

  /**
   * Answer one subgraph fetch, from the cache where the policy allows and the
   * entries exist, with `send` for the rest.
   */
  async fetch(subgraph: string, query: string, variables: Variables, partition: string, send: Send): Promise<GatewayGraphQLResponse> {
    const shape = this.#shapeOf(subgraph, query);
    if (shape.kind === 'entities') return this.#fetchEntities(subgraph, shape, variables, partition, send);
    if (shape.kind === 'root') return this.#fetchRoot(subgraph, shape, variables, partition, send);
    return send(variables);
  }

  async #fetchEntities(subgraph: string, shape: Extract<FetchShape, { kind: 'entities' }>, variables: Variables, partition: string, send: Send): Promise<GatewayGraphQLResponse> {
    const representations = variables?.representations;
    if (!Array.isArray(representations)) return send(variables);
    let rest = '';
    for (const name in variables) if (name !== 'representations') rest += `${name}=${JSON.stringify(variables[name])};`;
    const prefix = `${subgraph}\0${shape.id}\0${partition}\0${rest}\0`;
    const keys: Array<string | undefined> = representations.map((rep: Record<string, unknown>) =>
      shape.rules.has(rep?.__typename as string) ? prefix + JSON.stringify(rep) : undefined,
    );
    const cacheable = keys.filter((k): k is string => k !== undefined);
    if (cacheable.length === 0) return send(variables);

    const epoch = this.#epoch;
    const found = await this.#read(cacheable);
    const entities: unknown[] = new Array(representations.length);
    const misses: number[] = [];
    let next = 0;
    for (let i = 0; i < representations.length; i++) {
      if (keys[i] === undefined) {
        misses.push(i);
        continue;
      }
      const value = found?.[next++];
      const type = representations[i].__typename as string;
      if (value === undefined) {
        misses.push(i);
        this.#count(subgraph, type, found ? 'miss' : 'error');
      } else {
        entities[i] = JSON.parse(value);
        this.#count(subgraph, type, 'hit');
      }
    }
    if (misses.length === 0) return { data: { _entities: entities } };

    const missing = misses.length === representations.length ? variables : { ...variables, representations: misses.map((i) => representations[i]) };
    const response = await send(missing);
    const fetched = (response.data as { _entities?: unknown } | null | undefined)?._entities;
    const ok = Array.isArray(fetched) && fetched.length === misses.length;
    const failedAt = new Set<number>();
    const errors = response.errors?.map((error) => {
      const path = error.path;
      if (!path || path[0] !== '_entities' || typeof path[1] !== 'number') return error;
      failedAt.add(path[1]);
      return { ...error, path: ['_entities', misses[path[1]] ?? path[1], ...path.slice(2)] };
    });
    const entries: EntityCacheEntry[] = [];
    for (let j = 0; j < misses.length; j++) {
      const i = misses[j];
      const entity = ok ? (fetched as unknown[])[j] : null;
      entities[i] = entity;
      const key = keys[i];
      if (key === undefined || entity === null || entity === undefined || failedAt.has(j)) continue;
      const rule = shape.rules.get(representations[i].__typename as string)!;
      entries.push({ key, value: JSON.stringify(entity), tags: entityTags(rule, representations[i]), ttlSec: this.policy.ttlSec });
    }
    if (entries.length && epoch === this.#epoch) await this.#write(entries);
    // Misses the subgraph did not answer stay null; its errors (paths remapped) say why.
    const answer: GatewayGraphQLResponse = { data: { _entities: entities } };
    if (errors) answer.errors = errors;
    if (response.extensions) answer.extensions = response.extensions;
    return answer;
  }

  async #fetchRoot(subgraph: string, shape: Extract<FetchShape, { kind: 'root' }>, variables: Variables, partition: string, send: Send): Promise<GatewayGraphQLResponse> {
    const tags = shape.tags(variables);
    if (!tags) return send(variables);
    const key = `${subgraph}\0${shape.id}\0${partition}\0${JSON.stringify(variables ?? {})}`;
    const type = `Query.${tags[0].split(':', 1)[0]}`;
    const epoch = this.#epoch;
    const found = await this.#read([key]);
    if (found?.[0] !== undefined) {
      this.#count(subgraph, type, 'hit');
      return { data: JSON.parse(found[0]) };
    }
    this.#count(subgraph, type, found ? 'miss' : 'error');
    const response = await send(variables);
    if (!response.errors?.length && response.data && epoch === this.#epoch) {
      await this.#write([{ key, value: JSON.stringify(response.data), tags, ttlSec: this.policy.ttlSec }]);
    }
    return response;
  }

  /** Store reads that fail (Redis down) are misses: the answer is fetched, never refused. */
  async #read(keys: string[]): Promise<Array<string | undefined> | undefined> {
    try {
      const values = await this.store.getMany(keys);
      this.#storeFailed = false;
      return values;
    } catch (error) {
      if (!this.#storeFailed) this.logger?.warn({ err: error }, 'entity cache store unreachable; fetching from subgraphs');
      this.#storeFailed = true;
      return undefined;
    }
  }

  async #write(entries: EntityCacheEntry[]): Promise<void> {
    try {
      await this.store.setMany(entries);
    } catch (error) {
      if (!this.#storeFailed) this.logger?.warn({ err: error }, 'entity cache store unreachable; answers not cached');
      this.#storeFailed = true;
    }
  }

  #count(subgraph: string, type: string, result: LookupResult): void {
    const key = `${subgraph}\0${type}\0${result}`;
    let child = this.#lookupChildren.get(key);
    if (!child) this.#lookupChildren.set(key, (child = this.#lookups.labels(subgraph, type, result)));
    child.inc();
  }

  #shapeOf(subgraph: string, query: string): FetchShape {
    const key = `${subgraph}\0${query}`;
    let shape = this.#shapes.get(key);
    if (!shape) {
      shape = fetchShapeOf(subgraph, query, this.policy);
      if (this.#shapes.size >= MAX_SHAPES) this.#shapes.delete(this.#shapes.keys().next().value!);
      this.#shapes.set(key, shape);
    }
    return shape;
  }

  close(): Promise<void> {
    return this.store.close();
  }
}
