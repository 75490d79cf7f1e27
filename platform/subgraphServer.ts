import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { AuthError } from './auth/errors.js';
import { authenticateSubgraphRequest, type GatewayProofKey } from './auth/gatewayProof.js';
import type { Principal } from './auth/principal.js';
import { BUDGET_HEADER, budgetFromHeader, DeadlineExceededError, runWithBudget } from './deadline/index.js';
import { HttpError, listen, readBody, sendJson } from './httpServer.js';
import { ServiceMetrics } from './metrics/index.js';
import { ATTR_GRAPHQL_OPERATION_NAME, endHttpServerSpan, runInContext, setErrorType, startHttpServerSpan } from './tracing/httpServerSpan.js';
import type { ServiceTracing } from './tracing/serviceTracing.js';
import { SUBGRAPH_ERRORS } from './subgraphErrors.js';

export interface SubgraphServerOptions<TContext extends BaseContext> {
  /** The subgraph's name as the supergraph knows it (erp, crm, mdm, …). */
  name: string;
  schema: GraphQLSchema;
  port: number;
  host: string;
  /** Builds the per-request context: fresh DataLoaders. Throw HttpError to refuse. `principal` is added to it. */
  createContext(req: IncomingMessage): Promise<TContext> | TContext;
  /**
   * The key the gateway's proof (`x-concord-gateway-proof`) is checked with:
   * every /graphql request without a valid proof — `_service` and
   * `_entities` included — is answered 401, and the principal the proof
   * carries goes into the context as `principal` (ADR 0003). Only
   * `false` serves without it (tests of code that is not about access).
   */
  gatewayProofKey: GatewayProofKey | false;
  /**
   * Readiness: resolves when the subgraph's sources answer; rejects with the
   * reason otherwise. Run by GET /ready within `readyTimeoutMs` (and inside a
   * budget of that length, so the source calls it makes are cut to it too).
   */
  checkHealth?(): Promise<void>;
  /** How long GET /ready waits for `checkHealth`. @default 1000 */
  readyTimeoutMs?: number;
  /**
   * Requests served at once; one more is answered 503 with Retry-After and
   * code SUBGRAPH_OVERLOADED at once instead of queueing behind a slow
   * source (load shedding). @default 256
   */
  maxInFlight?: number;
  /**
   * The time budget of a request that arrives without the gateway's
   * x-concord-budget-ms header (direct callers, older gateways). @default 10000
   */
  defaultBudgetMs?: number;
  /** The most a caller's budget header can ask for. @default 30000 */
  maxBudgetMs?: number;
  /** The service's metrics (shared with its pool and source guards); GET /metrics renders them. @default a registry of its own */
  metrics?: ServiceMetrics;
  /** Hide stack traces and introspection. @default false */
  production?: boolean;
  /** @default 1 MiB */
  maxBodyBytes?: number;
  onClose?(): Promise<void>;
  /**
   * The subgraph's tracing (startServiceTracing): a server span per /graphql
   * request, continuing the gateway's trace from `traceparent`. Flushed and
   * shut down on close. @default none
   */
  tracing?: ServiceTracing;
}

export interface RunningSubgraph {
  name: string;
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4001/graphql */
  url: string;
  /** Export the spans ended so far now (no-op without tracing). */
  flushTraces(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Serves one subgraph at POST /graphql with Apollo Server driven from a plain
 * node:http handler (no web framework between the gateway and the resolvers),
 * plus the operator's endpoints:
 *
 * - GET /health: liveness. The process serves HTTP; no source is asked, so a
 *   hung database never makes an orchestrator restart a healthy process.
 * - GET /ready: readiness. The sources answer within `readyTimeoutMs`; 503
 *   with the reason otherwise, so a load balancer sends traffic elsewhere.
 * - GET /metrics: Prometheus text (requests, errors by code, latency, source
 *   calls, breakers, pool, rate budget).
 *
 * Each /graphql request runs within its time budget (the gateway's
 * x-concord-budget-ms header), which the pg pool and the HTTP client read.
 */
export async function startSubgraphServer<TContext extends BaseContext>(
  options: SubgraphServerOptions<TContext>,
): Promise<RunningSubgraph> {
  const apollo = new ApolloServer<TContext>({
    schema: options.schema,
    introspection: !options.production,
    includeStacktraceInErrorResponses: !options.production,
    // The gateway is the only intended caller; CSRF prevention still guards
    // browsers that reach a subgraph directly.
    csrfPrevention: true,
    // Federated tracing (ftv1) would send resolver timings and error details to whoever asks
    // with apollo-federation-include-trace; the gateway does not use it.
    // Cache-control hints: no resolver sets any and the gateway reads no Cache-Control from subgraphs, but
    // the plugin Apollo Server installs by default hooks every field resolution (issue 14: ~5% of the
    // subgraphs' CPU on the deep list).
    plugins: [ApolloServerPluginInlineTraceDisabled(), ApolloServerPluginCacheControlDisabled()],
  });
  await apollo.start();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;
  const metrics = options.metrics ?? new ServiceMetrics(`subgraph-${options.name}`);
  const readyTimeoutMs = options.readyTimeoutMs ?? 1_000;
  const maxInFlight = options.maxInFlight ?? 256;
  const defaultBudgetMs = options.defaultBudgetMs ?? 10_000;
  const maxBudgetMs = options.maxBudgetMs ?? 30_000;
  let inFlight = 0;

  async function ready(res: ServerResponse): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await runWithBudget(readyTimeoutMs, () =>
        Promise.race([
          options.checkHealth?.(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new DeadlineExceededError('the readiness check', 0)), readyTimeoutMs);
          }),
        ]));
      sendJson(res, 200, { status: 'ready', subgraph: options.name });
    } catch (error) {
      const reason = (error as { code?: unknown }).code;
      sendJson(res, 503, {
        status: 'unavailable', subgraph: options.name, reason: (error as Error).message, ...(typeof reason === 'string' ? { code: reason } : {}),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  const { tracing } = options;

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, span: Span | undefined): Promise<void> {
    if (url.pathname !== '/graphql') return route(req, res, url, span);
    if (inFlight >= maxInFlight) {
      metrics.shed.inc();
      metrics.requests.labels('shed').inc();
      if (span) setErrorType(span, 'SUBGRAPH_OVERLOADED');
      req.resume();
      sendJson(res, SUBGRAPH_ERRORS.SUBGRAPH_OVERLOADED.status, {
        errors: [{ message: `the ${options.name} subgraph is serving ${maxInFlight} requests already; retry shortly`, extensions: { code: 'SUBGRAPH_OVERLOADED' } }],
      }, { 'retry-after': '1' });
      return;
    }
    inFlight++;
    metrics.inFlight.inc();
    const started = performance.now();
    outcomes.set(res, 'error');
    try {
      const budgetMs = budgetFromHeader(req.headers[BUDGET_HEADER], defaultBudgetMs, maxBudgetMs);
      await runWithBudget(budgetMs, () => route(req, res, url, span));
    } finally {
      inFlight--;
      metrics.inFlight.dec();
      const outcome = outcomes.get(res) ?? 'error';
      metrics.requests.labels(outcome).inc();
      metrics.requestDuration.labels(outcome).observe((performance.now() - started) / 1000);
    }
  }

  const outcomes = new WeakMap<ServerResponse, 'ok' | 'partial' | 'error'>();

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, span: Span | undefined): Promise<void> {
    let outcome: 'ok' | 'partial' | 'error' = 'error';
    try {
      if (url.pathname === '/health') {
        sendJson(res, 200, { status: 'ok', subgraph: options.name });
        return;
      }
      if (url.pathname === '/ready') {
        await ready(res);
        return;
      }
      if (url.pathname === '/metrics') {
        const { contentType, body } = await metrics.render();
        res.writeHead(200, { 'content-type': contentType });
        res.end(body);
        return;
      }
      if (url.pathname !== '/graphql') {
        sendJson(res, SUBGRAPH_ERRORS.NOT_FOUND.status, { errors: [{ message: `no route ${url.pathname}`, extensions: { code: 'NOT_FOUND' } }] });
        return;
      }
      // The proof comes first: an unauthenticated body is not even read.
      let principal: Principal | undefined;
      if (options.gatewayProofKey) {
        try {
          principal = await authenticateSubgraphRequest(req.headers, options.gatewayProofKey);
        } catch (error) {
          if (!(error instanceof AuthError)) throw error;
          sendJson(res, error.status, { errors: [formatAuthError(error)] }, { 'www-authenticate': 'Bearer realm="concord-subgraph"' });
          req.resume();
          return;
        }
      }
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      let body: unknown = undefined;
      if (req.method === 'POST') {
        const raw = await readBody(req, maxBodyBytes);
        try {
          body = raw.length ? JSON.parse(raw.toString('utf8')) : undefined;
        } catch {
          throw new HttpError(SUBGRAPH_ERRORS.BAD_REQUEST.status, 'BAD_REQUEST', 'request body is not valid JSON');
        }
      }
      const operationName = (body as { operationName?: unknown } | undefined)?.operationName;
      if (span && typeof operationName === 'string') span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, operationName);
      const response = await apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => {
          const context = await options.createContext(req);
          return principal ? { ...context, principal } : context;
        },
      });
      const outHeaders: Record<string, string> = {};
      for (const [key, value] of response.headers) outHeaders[key] = value;
      res.writeHead(response.status ?? 200, outHeaders);
      if (response.body.kind === 'complete') {
        if (span) recordGraphQLOutcome(span, response.body.string);
        outcome = metrics.countErrorCodes(response.body.string);
        res.end(response.body.string);
      } else {
        for await (const chunk of response.body.asyncIterator) res.write(chunk);
        res.end();
      }
    } catch (error) {
      if (error instanceof HttpError) {
        if (span) setErrorType(span, error.code);
        sendJson(res, error.status, { errors: [{ message: error.message, extensions: { code: error.code } }] });
      } else {
        if (span) setErrorType(span, 'INTERNAL_SERVER_ERROR');
        sendJson(res, SUBGRAPH_ERRORS.INTERNAL_SERVER_ERROR.status, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      }
    } finally {
      outcomes.set(res, outcome);
    }
  }

  const listening = await listen(
    (req, res) => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://subgraph');
      } catch {
        sendJson(res, SUBGRAPH_ERRORS.INTERNAL_SERVER_ERROR.status, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        return;
      }
      // Without tracing (the default) this is the whole per-request cost: one property check.
      if (!tracing || url.pathname !== '/graphql') {
        void serve(req, res, url, undefined);
        return;
      }
      const { span, context } = startHttpServerSpan(tracing.tracer, req, '/graphql');
      void runInContext(context, () => serve(req, res, url, span)).finally(() => endHttpServerSpan(span, res.statusCode));
    },
    { port: options.port, host: options.host },
  );

  return {
    name: options.name,
    url: `${listening.origin}/graphql`,
    flushTraces: async () => tracing?.forceFlush(),
    async close() {
      await listening.close();
      await apollo.stop();
      await options.onClose?.();
      await tracing?.shutdown();
    },
  };
}

/**
 * Marks the span of a GraphQL answer that has errors and no data as failed,
 * with the first error's stable code. Only parsed when tracing is on and the
 * body mentions errors at all.
 */
function recordGraphQLOutcome(span: Span, body: string): void {
  if (!body.includes('"errors"')) return;
  try {
    const parsed = JSON.parse(body) as { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
    const code = parsed.errors?.find((e) => typeof e.extensions?.code === 'string')?.extensions?.code as string | undefined;
    setErrorType(span, code ?? 'GRAPHQL_ERROR');
    if (parsed.data === undefined || parsed.data === null) span.setStatus({ code: SpanStatusCode.ERROR });
  } catch {
    // Not JSON: the status code on the span says enough.
  }
}

function formatAuthError(error: AuthError): unknown {
  const { message, extensions } = error.toGraphQLError().toJSON();
  const { http: _http, ...rest } = extensions ?? {};
  return { message, extensions: rest };
}
