import { performance } from 'node:perf_hooks';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { context } from '@opentelemetry/api';
import { Pool } from 'undici';
import { injectTraceContext } from '../../platform/tracing/traceContext.js';
import { BUDGET_HEADER } from '../../platform/deadline/index.js';
import { createSourceGuard, SourceRefusedError, type SourceGuard } from '../../platform/resilience/index.js';
import type { ServiceMetrics } from '../../platform/metrics/index.js';
import type { Logger } from 'pino';
import { failedFetchErrors, isEntityFetch } from './failedFetch.js';
import type { GatewayMetrics, SubgraphOutcome } from '../observability/metrics.js';
import type { EntityCache } from '../entityCache/entityCache.js';
import { cachePartitionOf } from '../entityCache/cachePartition.js';
import { expandEntities, uniqueRepresentations } from './uniqueRepresentations.js';
import { copyJson } from './copyJson.js';
import { EntityFetchBatcher, type EntityBatchingOptions } from './entityBatching.js';
import type { GatewayContext, GatewayPlugin, SubgraphRequest } from '../plugins.js';

// @apollo/gateway's GraphQLDataSourceRequestKind enum is exported neither to ESM nor in its typings; its values are these strings.
const INCOMING_OPERATION = 'incoming operation';
const HEALTH_CHECK = 'health check';

export interface SubgraphClientOptions {
  /** undici headersTimeout and bodyTimeout, each. */
  timeoutMs: number;
  /** Keep-alive connections per origin. */
  connections: number;
  /** Share identical in-flight queries. */
  dedupe: boolean;
  production: boolean;
  plugins: readonly GatewayPlugin[];
  metrics?: GatewayMetrics;
  /**
   * Send W3C `traceparent`/`tracestate` for the active span (Apollo's
   * gateway.fetch) with every subgraph call, so the subgraph's spans are its
   * children. Only when tracing is on. @default false
   */
  propagateTraceContext?: boolean;
  /**
   * Entity fetches of concurrent operations of one caller merged into one
   * subgraph call under load (ADR 0019). @default off
   */
  entityBatching?: EntityBatchingOptions;
  /** Golden records answered from the entity cache (ADR 0014); undefined fetches everything. */
  entityCache?: EntityCache;
  /**
   * A breaker and a bulkhead per subgraph (ADR 0011): calls at once, calls
   * waiting, failures that open the circuit, how long it stays open. The
   * breaker counts calls that got no answer in time (refused, reset, timed
   * out); an answer, even an error, proves the subgraph is there.
   * @default none: every call is sent
   */
  guards?: { maxConcurrent: number; maxQueued: number; breakerFailures: number; breakerHalfOpenMs: number; metrics?: ServiceMetrics; logger?: Logger };
}

/** A subgraph's answer as bytes. */
interface RawResponse {
  statusCode: number;
  text: string;
}

/**
 * An identical call on its way, and those who joined it. Each caller needs
 * its own answer (the gateway merges later fetches into it): the caller that
 * sent the call parses it and, before anyone uses it, makes a copy for each
 * joiner (copyJson.ts: cheaper than each parsing the text again).
 */
interface SharedCall {
  answer: Promise<RawResponse>;
  joiners: number;
  copies?: GatewayGraphQLResponse[];
}

/**
 * The gateway's HTTP client for subgraphs: one undici keep-alive Pool per
 * origin, shared by the data sources of every supergraph version (a hot reload
 * keeps the warm connections).
 */
export class SubgraphClient {
  readonly #pools = new Map<string, Pool>();
  readonly #guards = new Map<string, SourceGuard>();
  readonly #endpoints = new Map<string, string>();
  readonly #willSendRequest: Array<NonNullable<GatewayPlugin['willSendRequest']>>;

  constructor(readonly options: SubgraphClientOptions) {
    this.#willSendRequest = options.plugins.flatMap((p) => (p.willSendRequest ? [p.willSendRequest.bind(p)] : []));
  }

  /** The `buildService` for ApolloGateway. */
  dataSource(definition: { name: string; url?: string }): GraphQLDataSource {
    if (!definition.url) throw new Error(`subgraph ${definition.name} has no URL in the supergraph`);
    this.#endpoints.set(definition.name, definition.url);
    return new SubgraphDataSource(definition.name, new URL(definition.url), this);
  }

  pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      // pipelining 1: a slow answer must not hold up the ones queued behind it on the same socket.
      pool = new Pool(origin, { connections: this.options.connections, pipelining: 1 });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /** name → GraphQL URL of the subgraphs of the latest supergraph (readiness probes them). */
  endpoints(): ReadonlyMap<string, string> {
    return this.#endpoints;
  }

  /** The subgraph's breaker and bulkhead, one per subgraph name, kept across supergraph reloads. */
  guard(subgraph: string): SourceGuard | undefined {
    const settings = this.options.guards;
    if (!settings) return undefined;
    let guard = this.#guards.get(subgraph);
    if (!guard) {
      guard = createSourceGuard({
        source: subgraph,
        consecutiveFailures: settings.breakerFailures,
        halfOpenAfterMs: settings.breakerHalfOpenMs,
        maxConcurrent: settings.maxConcurrent,
        maxQueued: settings.maxQueued,
        isOutage: () => true,
        outcomeOf: (error) => (isTimeout(error) ? 'timeout' : 'error'),
        metrics: settings.metrics,
        logger: settings.logger,
      });
      this.#guards.set(subgraph, guard);
    }
    return guard;
  }

  /** Run the plugins' willSendRequest hooks (synchronous ones without awaiting). */
  async prepare(request: SubgraphRequest): Promise<void> {
    for (const hook of this.#willSendRequest) {
      const pending = hook(request);
      if (pending) await pending;
    }
  }

  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/**
 * The key of calls that may share one (identical bodies) or be merged (one
 * fetch, other representations): the text plus every outgoing header, so
 * never across callers whose auth headers differ.
 */
function sharingKey(text: string, headers: Record<string, string>): string {
  let key = text;
  for (const name in headers) key += `\0${name}:${headers[name]}`;
  return key;
}

/** Mutations are never shared: two identical mutations are two intended effects. */
function isMutation(query: string): boolean {
  let i = 0;
  while (i < query.length && query.charCodeAt(i) <= 32) i++;
  return query.startsWith('mutation', i);
}

function errorCode(error: unknown): string | undefined {
  return (error as { code?: string } | undefined)?.code;
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

function isTimeout(error: unknown): boolean {
  const name = (error as { name?: string } | undefined)?.name;
  return TIMEOUT_CODES.has(errorCode(error) ?? '') || name === 'TimeoutError';
}

/** More than undici's fast-timer resolution (1 s, ticking every 499 ms): its timers never fire before the signal. */
const UNDICI_TIMER_SLACK_MS = 1_000;
/** Time a subgraph needs at least to be worth calling; less is answered SUBGRAPH_UNAVAILABLE reason deadline at once. */
const MIN_CALL_MS = 20;
/**
 * Kept back from the budget sent to a subgraph (a tenth, at least 50 ms): its
 * answer — with its own coded errors for what its sources could not give in
 * time — has to be written, travel back and be merged before the gateway's
 * own timeout for the call fires.
 */
function answerMarginMs(leftMs: number): number {
  return Math.max(50, Math.round(leftMs / 10));
}

/**
 * @apollo/gateway's GraphQLDataSource over an undici Pool (not
 * RemoteGraphQLDataSource's fetch: the pool's keep-alive sockets and lighter
 * request path roughly double throughput). Identical in-flight queries —
 * same subgraph, same body, same outgoing headers (so never across callers
 * whose auth headers differ) — share one HTTP call.
 */
export class SubgraphDataSource implements GraphQLDataSource<Record<string, unknown>> {
  readonly #inflight = new Map<string, SharedCall>();
  readonly #origin: string;
  readonly #path: string;
  readonly #batcher: EntityFetchBatcher | undefined;

  constructor(readonly name: string, url: URL, private readonly client: SubgraphClient) {
    this.#origin = url.origin;
    this.#path = url.pathname + url.search;
    const batching = client.options.entityBatching;
    this.#batcher = batching && batching.maxInFlight > 0
      ? new EntityFetchBatcher(
          name,
          batching,
          (calls) => client.options.metrics?.countMergedEntityCalls(name, calls),
          (outcome) => client.options.metrics?.countEntityFetchLinger(name, outcome),
        )
      : undefined;
  }

  async process(options: GraphQLDataSourceProcessOptions<Record<string, unknown>>): Promise<GatewayGraphQLResponse> {
    const { query = '', operationName, variables } = options.request;
    const requestKind: string = options.kind;
    const kind = requestKind === INCOMING_OPERATION ? 'operation' : requestKind === HEALTH_CHECK ? 'health-check' : 'schema';
    const context = kind === 'operation' ? (options.context as unknown as GatewayContext) : undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    await this.client.prepare({ subgraphName: this.name, kind, request: { headers, query, operationName, variables }, context });
    if (kind !== 'operation' || isMutation(query)) return this.#execute(kind, query, variables, operationName, headers, context?.deadline);
    const representations = variables?.representations;
    const plan = Array.isArray(representations) ? uniqueRepresentations(representations) : undefined;
    if (!plan) return this.#cachedOrExecute(query, variables, operationName, headers, context);
    const response = await this.#cachedOrExecute(query, { ...variables, representations: plan.unique }, operationName, headers, context);
    return expandEntities(response, plan);
  }

  /** Through the entity cache when it is on (golden records), else straight to the subgraph. */
  #cachedOrExecute(
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    headers: Record<string, string>,
    context: GatewayContext | undefined,
  ): Promise<GatewayGraphQLResponse> {
    const { entityCache } = this.client.options;
    if (!entityCache) return this.#batchedOrExecute(query, variables, operationName, headers, context?.deadline);
    return entityCache.fetch(this.name, query, variables, cachePartitionOf(context), (vars) => this.#batchedOrExecute(query, vars, operationName, headers, context?.deadline));
  }

  /** An `_entities` fetch through the batcher when merging is on (merged with other callers' under load), else one call. */
  #batchedOrExecute(
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    headers: Record<string, string>,
    deadline: number | undefined,
  ): Promise<GatewayGraphQLResponse> {
    const representations = variables?.representations;
    if (!this.#batcher || !Array.isArray(representations) || !isEntityFetch(query)) return this.#execute('operation', query, variables, operationName, headers, deadline);
    // The same fetch already on its way (one query sent from many connections): sharing it beats merging a copy.
    const body = this.client.options.dedupe ? JSON.stringify({ query, variables, operationName }) : undefined;
    if (body !== undefined && this.#inflight.has(this.#sharingKey(body, headers))) return this.#execute('operation', query, variables, operationName, headers, deadline, body);
    let fetch = `${operationName ?? ''}\0${query}`;
    for (const name in variables) if (name !== 'representations') fetch += `\0${name}=${JSON.stringify(variables[name])}`;
    return this.#batcher.fetch(
      sharingKey(fetch, headers),
      representations,
      deadline,
      // Sent alone, the fetch is the body already written; merged, a new one.
      (merged, mergedDeadline) => merged === representations
        ? this.#execute('operation', query, variables, operationName, headers, mergedDeadline, body)
        : this.#execute('operation', query, { ...variables, representations: merged }, operationName, headers, mergedDeadline),
      (part, message, extensions) => failedFetchErrors(query, { representations: part }, message, extensions ?? { code: 'SUBGRAPH_UNAVAILABLE' }),
    );
  }

  /** One subgraph call (shared with identical in-flight ones), its answer as a GraphQL response. */
  async #execute(
    kind: SubgraphRequest['kind'],
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    headers: Record<string, string>,
    deadline: number | undefined,
    body = JSON.stringify({ query, variables, operationName }),
  ): Promise<GatewayGraphQLResponse> {
    const { metrics, dedupe } = this.client.options;
    const sentAt = Date.now();

    const started = performance.now();
    let raw: RawResponse;
    let sent: SharedCall | undefined;
    try {
      if (dedupe && kind === 'operation' && !isMutation(query)) {
        const key = this.#sharingKey(body, headers);
        const shared = this.#inflight.get(key);
        if (shared) {
          metrics?.countDeduplicated(this.name);
          shared.joiners++;
          raw = await shared.answer;
          return shared.copies?.pop() ?? this.#interpret(raw, query, variables, undefined);
        }
        // Removed before any caller resumes: the joiners are counted by then.
        sent = { answer: this.#guardedSend(headers, body, deadline).finally(() => this.#inflight.delete(key)), joiners: 0 };
        this.#inflight.set(key, sent);
        raw = await sent.answer;
      } else {
        raw = await this.#guardedSend(headers, body, deadline);
      }
    } catch (error) {
      if (error instanceof SourceRefusedError) {
        const reason = error.reason === 'CIRCUIT_OPEN' ? 'circuit_open' : error.reason === 'BULKHEAD_FULL' ? 'overloaded' : 'deadline';
        metrics?.observeSubgraphFetch(this.name, 'unavailable', (performance.now() - started) / 1000);
        const what = reason === 'circuit_open'
          ? 'not called: its circuit breaker is open after repeated failures'
          : reason === 'overloaded' ? 'not called: too many calls to it are waiting' : "not called: the request's deadline has passed";
        return { errors: failedFetchErrors(query, variables, `Subgraph "${this.name}" ${what}`, { code: 'SUBGRAPH_UNAVAILABLE', reason }) };
      }
      const timedOut = isTimeout(error);
      const limitMs = deadline === undefined ? this.client.options.timeoutMs : Math.min(this.client.options.timeoutMs, Math.max(0, Math.round(deadline - sentAt)));
      metrics?.observeSubgraphFetch(this.name, timedOut ? 'timeout' : 'unavailable', (performance.now() - started) / 1000);
      const base = timedOut
        ? `Subgraph "${this.name}" did not answer within ${limitMs} ms${limitMs < this.client.options.timeoutMs ? " (what was left of the request's deadline)" : ''}`
        : `Subgraph "${this.name}" is unavailable`;
      const message = this.client.options.production ? base : `${base}: ${(error as Error).message}`;
      return { errors: failedFetchErrors(query, variables, message, { code: 'SUBGRAPH_UNAVAILABLE', reason: timedOut ? 'timeout' : 'connection' }) };
    }
    const response = this.#interpret(raw, query, variables, (outcome) =>
      metrics?.observeSubgraphFetch(this.name, outcome, (performance.now() - started) / 1000),
    );
    // Errors built here are plain objects too (failedFetchErrors), so every answer copies as it parses.
    if (sent && sent.joiners > 0) {
      sent.copies = Array.from({ length: sent.joiners }, () => copyJson(response));
    }
    return response;
  }

  /**
   * Identical calls share while the entity cache has seen no invalidation
   * since the one on its way was sent (EntityCache.epoch): a fetch that missed
   * the cache after a change event gets an answer from after it.
   */
  #sharingKey(body: string, headers: Record<string, string>): string {
    const key = sharingKey(body, headers);
    const cache = this.client.options.entityCache;
    return cache ? `${key}\0${cache.epoch}` : key;
  }

  /** One call through the subgraph's breaker and bulkhead, within what is left of the request's deadline. */
  #guardedSend(headers: Record<string, string>, body: string, deadline: number | undefined): Promise<RawResponse> {
    if (deadline !== undefined && deadline - Date.now() < MIN_CALL_MS) {
      return Promise.reject(new SourceRefusedError(this.name, 'DEADLINE_EXCEEDED', `${this.name} not called: the request's deadline has passed`));
    }
    const guard = this.client.guard(this.name);
    return guard ? guard.run(() => this.#send(headers, body, deadline)) : this.#send(headers, body, deadline);
  }

  async #send(headers: Record<string, string>, body: string, deadline: number | undefined): Promise<RawResponse> {
    const { propagateTraceContext } = this.client.options;
    // The call's own limit, cut to what is left of the request; the subgraph gets that much as its budget.
    const left = deadline === undefined ? undefined : deadline - Date.now();
    if (left !== undefined && left < MIN_CALL_MS) {
      throw new SourceRefusedError(this.name, 'DEADLINE_EXCEEDED', `${this.name} not called: the request's deadline has passed`);
    }
    const timeoutMs = left === undefined ? this.client.options.timeoutMs : Math.min(this.client.options.timeoutMs, left);
    if (left !== undefined) headers = { ...headers, [BUDGET_HEADER]: String(Math.max(0, Math.floor(left - answerMarginMs(left)))) };
    // Added here, after the dedupe key was taken from `headers`: a traceparent differs per
    // request and would stop identical queries from sharing a call. A shared call carries
    // the trace of the request that sent it.
    if (propagateTraceContext) {
      headers = { ...headers };
      injectTraceContext(context.active(), headers);
    }
    const response = await this.client.pool(this.#origin).request({
      path: this.#path,
      method: 'POST',
      headers,
      body,
      // undici's own timers tick every ~0.5 s and count from the tick before they were set, so a
      // headersTimeout fires up to ~0.5 s early: set to the deadline, it cut off answers the subgraph
      // wrote inside its budget (its coded partial errors became SUBGRAPH_UNAVAILABLE). Within a
      // deadline they are only a backstop beyond it; the signal keeps the deadline to the millisecond.
      headersTimeout: left === undefined ? timeoutMs : timeoutMs + UNDICI_TIMER_SLACK_MS,
      bodyTimeout: left === undefined ? timeoutMs : timeoutMs + UNDICI_TIMER_SLACK_MS,
      signal: left === undefined ? undefined : AbortSignal.timeout(Math.max(1, Math.floor(timeoutMs))),
    });
    return { statusCode: response.statusCode, text: await response.body.text() };
  }

  /** Turn the subgraph's bytes into a GraphQL response; anything that is not GraphQL becomes path-carrying errors. */
  #interpret(
    raw: RawResponse,
    query: string,
    variables: Record<string, unknown> | undefined,
    observe: ((outcome: SubgraphOutcome) => void) | undefined,
  ): GatewayGraphQLResponse {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.text);
    } catch {
      parsed = undefined;
    }
    if (parsed !== null && typeof parsed === 'object' && ('data' in parsed || 'errors' in parsed)) {
      const response = parsed as GatewayGraphQLResponse;
      observe?.(response.errors ? 'graphql_error' : raw.statusCode >= 300 ? 'http_error' : 'ok');
      return response;
    }
    observe?.('http_error');
    // Apollo/Hive habit: a 401/403 from a subgraph is an auth failure, not an outage.
    const code = raw.statusCode === 401 ? 'UNAUTHENTICATED' : raw.statusCode === 403 ? 'FORBIDDEN' : 'SUBGRAPH_UNAVAILABLE';
    const extensions: Record<string, unknown> = { code, reason: 'http-status', http: { status: raw.statusCode } };
    if (!this.client.options.production) extensions.responseBody = raw.text.slice(0, 1_000);
    return { errors: failedFetchErrors(query, variables, `Subgraph "${this.name}" answered HTTP ${raw.statusCode} without a GraphQL response`, extensions) };
  }
}
