import type { IncomingMessage, ServerResponse } from 'node:http';
import { SpanStatusCode, type Span } from '@opentelemetry/api';
import { ApolloServer, HeaderMap, type BaseContext } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import type { GraphQLSchema } from 'graphql';
import { AuthError } from './auth/errors.js';
import { authenticateSubgraphRequest, type GatewayProofKey } from './auth/gatewayProof.js';
import type { Principal } from './auth/principal.js';
import { HttpError, listen, readBody, sendJson } from './httpServer.js';
import { ATTR_GRAPHQL_OPERATION_NAME, endHttpServerSpan, runInContext, setErrorType, startHttpServerSpan } from './tracing/httpServerSpan.js';
import type { ServiceTracing } from './tracing/serviceTracing.js';

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
  /** Resolves when the subgraph's sources answer; rejects with the reason otherwise. */
  checkHealth?(): Promise<void>;
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
 * plus GET /health for load balancers and `concord start`.
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
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const maxBodyBytes = options.maxBodyBytes ?? 1024 * 1024;

  const { tracing } = options;

  async function serve(req: IncomingMessage, res: ServerResponse, url: URL, span: Span | undefined): Promise<void> {
    try {
      if (url.pathname === '/health') {
        try {
          await options.checkHealth?.();
          sendJson(res, 200, { status: 'ok', subgraph: options.name });
        } catch (error) {
          sendJson(res, 503, { status: 'unavailable', subgraph: options.name, reason: (error as Error).message });
        }
        return;
      }
      if (url.pathname !== '/graphql') {
        sendJson(res, 404, { errors: [{ message: `no route ${url.pathname}`, extensions: { code: 'NOT_FOUND' } }] });
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
          throw new HttpError(400, 'BAD_REQUEST', 'request body is not valid JSON');
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
        sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      }
    }
  }

  const listening = await listen(
    (req, res) => {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://subgraph');
      } catch {
        sendJson(res, 500, { errors: [{ message: 'internal error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
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
