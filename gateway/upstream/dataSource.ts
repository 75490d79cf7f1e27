import { performance } from 'node:perf_hooks';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { context } from '@opentelemetry/api';
import { Pool } from 'undici';
import { injectTraceContext } from '../../platform/tracing/traceContext.js';
import { failedFetchErrors } from './failedFetch.js';
import type { GatewayMetrics, SubgraphOutcome } from '../observability/metrics.js';
import type { EntityCache } from '../entityCache/entityCache.js';
import { cachePartitionOf } from '../entityCache/cachePartition.js';
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
  /** Golden records answered from the entity cache (ADR 0014); undefined fetches everything. */
  entityCache?: EntityCache;
}

/** A subgraph's answer as bytes: shared between deduplicated callers, each parses its own copy. */
interface RawResponse {
  statusCode: number;
  text: string;
}

/**
 * The gateway's HTTP client for subgraphs: one undici keep-alive Pool per
 * origin, shared by the data sources of every supergraph version (a hot reload
 * keeps the warm connections).
 */
export class SubgraphClient {
  readonly #pools = new Map<string, Pool>();
  readonly #willSendRequest: Array<NonNullable<GatewayPlugin['willSendRequest']>>;

  constructor(readonly options: SubgraphClientOptions) {
    this.#willSendRequest = options.plugins.flatMap((p) => (p.willSendRequest ? [p.willSendRequest.bind(p)] : []));
  }

  /** The `buildService` for ApolloGateway. */
  dataSource(definition: { name: string; url?: string }): GraphQLDataSource {
    if (!definition.url) throw new Error(`subgraph ${definition.name} has no URL in the supergraph`);
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

/**
 * @apollo/gateway's GraphQLDataSource over an undici Pool (not
 * RemoteGraphQLDataSource's fetch: the pool's keep-alive sockets and lighter
 * request path roughly double throughput). Identical in-flight queries —
 * same subgraph, same body, same outgoing headers (so never across callers
 * whose auth headers differ) — share one HTTP call.
 */
export class SubgraphDataSource implements GraphQLDataSource<Record<string, unknown>> {
  readonly #inflight = new Map<string, Promise<RawResponse>>();
  readonly #origin: string;
  readonly #path: string;

  constructor(readonly name: string, url: URL, private readonly client: SubgraphClient) {
    this.#origin = url.origin;
    this.#path = url.pathname + url.search;
  }

  async process(options: GraphQLDataSourceProcessOptions<Record<string, unknown>>): Promise<GatewayGraphQLResponse> {
    const { query = '', operationName, variables } = options.request;
    const requestKind: string = options.kind;
    const kind = requestKind === INCOMING_OPERATION ? 'operation' : requestKind === HEALTH_CHECK ? 'health-check' : 'schema';
    const context = kind === 'operation' ? (options.context as unknown as GatewayContext) : undefined;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    await this.client.prepare({ subgraphName: this.name, kind, request: { headers, query, operationName, variables }, context });
    const { entityCache } = this.client.options;
    if (entityCache && kind === 'operation' && !isMutation(query)) {
      return entityCache.fetch(this.name, query, variables, cachePartitionOf(context), (vars) => this.#execute(kind, query, vars, operationName, headers));
    }
    return this.#execute(kind, query, variables, operationName, headers);
  }

  /** One subgraph call (shared with identical in-flight ones), its answer as a GraphQL response. */
  async #execute(
    kind: SubgraphRequest['kind'],
    query: string,
    variables: Record<string, unknown> | undefined,
    operationName: string | undefined,
    headers: Record<string, string>,
  ): Promise<GatewayGraphQLResponse> {
    const body = JSON.stringify({ query, variables, operationName });
    const { metrics, dedupe } = this.client.options;

    const started = performance.now();
    let raw: RawResponse;
    try {
      if (dedupe && kind === 'operation' && !isMutation(query)) {
        let key = body;
        for (const name in headers) key += `\0${name}:${headers[name]}`;
        const shared = this.#inflight.get(key);
        if (shared) {
          metrics?.countDeduplicated(this.name);
          raw = await shared;
          return this.#interpret(raw, query, variables, undefined);
        }
        const pending = this.#send(headers, body).finally(() => this.#inflight.delete(key));
        this.#inflight.set(key, pending);
        raw = await pending;
      } else {
        raw = await this.#send(headers, body);
      }
    } catch (error) {
      const timedOut = TIMEOUT_CODES.has(errorCode(error) ?? '');
      metrics?.observeSubgraphFetch(this.name, timedOut ? 'timeout' : 'unavailable', (performance.now() - started) / 1000);
      const base = timedOut
        ? `Subgraph "${this.name}" did not answer within ${this.client.options.timeoutMs} ms`
        : `Subgraph "${this.name}" is unavailable`;
      const message = this.client.options.production ? base : `${base}: ${(error as Error).message}`;
      return { errors: failedFetchErrors(query, variables, message, { code: 'SUBGRAPH_UNAVAILABLE', reason: timedOut ? 'timeout' : 'connection' }) };
    }
    return this.#interpret(raw, query, variables, (outcome) =>
      metrics?.observeSubgraphFetch(this.name, outcome, (performance.now() - started) / 1000),
    );
  }

  async #send(headers: Record<string, string>, body: string): Promise<RawResponse> {
    const { timeoutMs, propagateTraceContext } = this.client.options;
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
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
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
