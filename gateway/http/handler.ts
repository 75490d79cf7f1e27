import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { GatewayExecutor, GatewayGraphQLRequestContext } from '@apollo/server-gateway-interface';
import type { Span, Tracer } from '@opentelemetry/api';
import { getOperationAST, GraphQLError, NoSchemaIntrospectionCustomRule, type GraphQLFormattedError, type GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { formatGatewayError, GatewayHttpError, withCode, withoutHttpExtension } from '../errors.js';
import { renderGraphiQL, type GraphiQLPageOptions } from '../graphiql/page.js';
import { GRAPHIQL_ASSET_PREFIX } from '../graphiql/assets.js';
import { checkHealth } from './health.js';
import type { GatewayReadiness } from '../resilience/readiness.js';
import { isJsonContentType, parseGetParameters, parseJsonBody, toGraphQLRequest, type GraphQLHttpRequest } from './requestBody.js';
import { checkBatch, readLimitedBody, RequestLimitError } from '../limits/httpLimits.js';
import { DocumentCache } from './documentCache.js';
import type { GatewayMetrics, RequestOutcome } from '../observability/metrics.js';
import type { GatewayContext, GatewayOperation, GatewayPlugin, GatewayResult, ParsedOperation } from '../plugins.js';
import type { SupergraphStatus } from '../supergraph/manager.js';
import { resolveDocument, type PersistedDocumentsOptions } from '../persisted/resolveDocument.js';
import { TrustedDocuments } from '../persisted/trustedDocuments.js';
import {
  ATTR_GRAPHQL_OPERATION_NAME, ATTR_GRAPHQL_OPERATION_TYPE, endHttpServerSpan, runInContext, setErrorType, startHttpServerSpan,
} from '../../platform/tracing/httpServerSpan.js';

export interface HttpHandlerOptions {
  executor: GatewayExecutor;
  /** The API schema serving now (swapped on hot reload). */
  schema: () => GraphQLSchema;
  supergraph: () => SupergraphStatus | undefined;
  metrics: GatewayMetrics;
  plugins: readonly GatewayPlugin[];
  logger: Logger;
  production: boolean;
  introspection: boolean;
  maxBodyBytes: number;
  /** Accept a JSON array of operations. @default false */
  batching?: boolean;
  /** @default 10 */
  maxBatchSize?: number;
  graphiql?: GraphiQLPageOptions | false;
  /**
   * The gateway's tracer when tracing is on: an HTTP server span per /graphql
   * request, continuing the caller's `traceparent`, with Apollo's
   * gateway.request span beneath it. Undefined (the default) skips all of it.
   */
  tracer?: Tracer;
  /** APQ and trusted documents (ADR 0014); undefined answers PERSISTED_QUERY_NOT_SUPPORTED to a hash. */
  persistedDocuments?: PersistedDocumentsOptions;
  /** The overall deadline of a request: what every subgraph call gets of it is what is left. @default 5000 */
  requestTimeoutMs?: number;
  /** Requests served at once; one more is answered 503 GATEWAY_OVERLOADED with Retry-After. @default 512 */
  maxInFlight?: number;
  /** GET /ready: supergraph loaded and subgraphs ready. Without it /ready is /health's answer. */
  readiness?: () => Promise<GatewayReadiness>;
  /** Extra routes by exact path (e.g. /.well-known/jwks.json, /audit), served before the 404. */
  routes?: Readonly<Record<string, (request: IncomingMessage, response: ServerResponse) => void>>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** One operation's answer: its status (the HTTP status when it is alone) and body. */
interface OperationAnswer {
  status: number;
  body: { errors?: GraphQLFormattedError[]; data?: unknown; extensions?: unknown };
  headers?: Readonly<Record<string, string>>;
  operationType: string;
  outcome: RequestOutcome;
}

/**
 * The gateway's HTTP surface on plain node:http:
 *
 * - POST /graphql (application/json; a JSON array when batching is on), GET /graphql?query= (queries only)
 * - GET /graphql from a browser (Accept: text/html): GraphiQL, its files under /graphiql/
 * - GET /health, GET /metrics, plus `routes`
 *
 * Why not Apollo Server's executeHTTPGraphQLRequest: its per-request pipeline
 * (plugin dispatch for a dozen hooks, cache-control and usage-reporting
 * bookkeeping, a re-hash of every query, Headers objects) is work this gateway
 * does not need on the hot path. This handler does, per repeated operation, a
 * Map lookup for the parsed+validated document, the plugins' hooks, the
 * gateway's executor (whose plan cache is keyed by the query hash computed
 * once here) and one JSON.stringify. Apollo's error shapes and HTTP statuses
 * are kept (GRAPHQL_PARSE_FAILED/VALIDATION_FAILED/BAD_USER_INPUT → 400).
 */
export function createHttpHandler(options: HttpHandlerOptions): (request: IncomingMessage, response: ServerResponse) => void {
  const { executor, metrics, plugins, logger, production, tracer } = options;
  const tokenLimits = plugins.flatMap((p) => (p.maxTokens === undefined ? [] : [p.maxTokens]));
  const documents = new DocumentCache(
    [...(options.introspection ? [] : [NoSchemaIntrospectionCustomRule]), ...plugins.flatMap((p) => p.validationRules ?? [])],
    undefined,
    tokenLimits.length ? Math.min(...tokenLimits) : undefined,
  );
  const onRequest = plugins.filter((p) => p.onRequest);
  const onDocument = plugins.filter((p) => p.onDocument);
  const onOperation = plugins.filter((p) => p.onOperation);
  const onResponse = plugins.filter((p) => p.onResponse);
  const graphiqlPage = options.graphiql === false ? undefined : renderGraphiQL(options.graphiql);
  const httpLimits = { maxBodyBytes: options.maxBodyBytes, batching: options.batching ?? false, maxBatchSize: options.maxBatchSize ?? 10 };
  const startedAt = Date.now();
  const requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  const maxInFlight = options.maxInFlight ?? 512;
  let inFlight = 0;
  const persistedDocuments = options.persistedDocuments ?? { apq: false, trusted: new TrustedDocuments() };

  function send(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}, contentType = JSON_TYPE): void {
    // Encoded once: Buffer.byteLength and then end(string) would each walk a large answer.
    const bytes = Buffer.from(body, 'utf8');
    response.writeHead(status, { 'content-type': contentType, 'content-length': bytes.length, ...headers });
    response.end(bytes);
  }

  function format(errors: readonly (GraphQLError | GraphQLFormattedError)[], context?: GatewayContext): GraphQLFormattedError[] {
    return errors.map((e) => formatGatewayError(e, production, context ? context.suggestions : !production));
  }

  function sendErrors(response: ServerResponse, status: number, errors: readonly (GraphQLError | GraphQLFormattedError)[], headers?: Record<string, string>, context?: GatewayContext): void {
    send(response, status, JSON.stringify({ errors: format(errors, context) }), headers);
  }

  function errorAnswer(error: unknown, context: GatewayContext): OperationAnswer {
    if (error instanceof GatewayHttpError) {
      return { status: error.status, body: { errors: format(error.errors, context) }, headers: error.headers, operationType: 'none', outcome: 'error' };
    }
    logger.error({ err: error, requestId: context.requestId }, 'request failed inside the gateway');
    const message = production ? 'Internal server error' : (error as Error).message;
    const internal = new GraphQLError(message, { originalError: error as Error, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
    return { status: 500, body: { errors: format([internal], context) }, operationType: 'none', outcome: 'error' };
  }

  /** The request's operations: one from GET parameters or a JSON object, several from a JSON array (batching). */
  async function readOperations(request: IncomingMessage, search: string): Promise<{ inputs: Array<GraphQLHttpRequest | GatewayHttpError>; batch: boolean }> {
    if (request.method !== 'POST') return { inputs: [parseGetParameters(search)], batch: false };
    if (!isJsonContentType(request.headers['content-type'])) {
      throw new GatewayHttpError('UNSUPPORTED_MEDIA_TYPE', `POST requests must have Content-Type: application/json, got ${request.headers['content-type'] ?? 'none'}.`);
    }
    let text: string;
    try {
      text = (await readLimitedBody(request, httpLimits.maxBodyBytes)).toString('utf8');
    } catch (error) {
      if (!(error instanceof RequestLimitError)) throw error;
      // The rest of an oversized body is not worth reading: close the connection after answering.
      throw new GatewayHttpError(error.code, error.message, { status: error.status, headers: { connection: 'close' }, errors: [withoutHttpExtension(error.graphqlError)] });
    }
    const body = parseJsonBody(text);
    let operations: unknown[];
    try {
      operations = checkBatch(body, httpLimits);
    } catch (error) {
      if (error instanceof RequestLimitError) throw GatewayHttpError.fromGraphQLError(error.graphqlError);
      throw error;
    }
    return {
      inputs: operations.map((operation) => {
        try {
          return toGraphQLRequest(operation);
        } catch (error) {
          if (error instanceof GatewayHttpError) return error;
          throw error;
        }
      }),
      batch: Array.isArray(body),
    };
  }

  /** Run one operation through the pipeline: parse, onDocument, validate, onOperation, execute, onResponse. */
  async function executeOperation(request: IncomingMessage, sent: GraphQLHttpRequest, context: GatewayContext, span: Span | undefined): Promise<OperationAnswer> {
    const query = await resolveDocument(sent, context, persistedDocuments);
    const input = { ...sent, query };
    const entry = documents.get(query);
    if (entry.parseError) {
      const code = entry.parseError.extensions.code === 'MAX_TOKENS_EXCEEDED' ? [withoutHttpExtension(entry.parseError)] : withCode([entry.parseError], 'GRAPHQL_PARSE_FAILED');
      return { status: 400, body: { errors: format(code, context) }, operationType: 'none', outcome: 'error' };
    }
    const schema = options.schema();
    const parsed: ParsedOperation = { query: input.query, document: entry.document!, operationName: input.operationName, variables: input.variables, schema };
    for (const plugin of onDocument) await plugin.onDocument!(parsed, context);
    const validationErrors = documents.validate(entry, schema);
    if (validationErrors.length > 0) {
      return { status: 400, body: { errors: format(withCode(validationErrors, 'GRAPHQL_VALIDATION_FAILED'), context) }, operationType: 'none', outcome: 'error' };
    }
    const operation = getOperationAST(entry.document!, input.operationName);
    if (!operation) {
      const message = input.operationName
        ? `Unknown operation named "${input.operationName}".`
        : 'The document has several operations: send `operationName` to choose one.';
      throw new GatewayHttpError('OPERATION_RESOLUTION_FAILURE', message);
    }
    const operationType = operation.operation;
    if (request.method === 'GET' && operationType !== 'query') {
      throw new GatewayHttpError('METHOD_NOT_ALLOWED', `A ${operationType} must be sent with POST; GET is for queries only.`, { headers: { allow: 'POST' } });
    }
    if (operationType === 'subscription') throw new GatewayHttpError('BAD_REQUEST', 'Subscriptions are not supported by this gateway.');

    const gatewayOperation: GatewayOperation = {
      query: input.query,
      document: entry.document!,
      operation,
      operationName: input.operationName ?? operation.name?.value ?? null,
      variables: input.variables,
      schema,
    };
    // Name and type only: never the variables or the document's literals.
    if (span) {
      span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, operationType);
      if (gatewayOperation.operationName) span.setAttribute(ATTR_GRAPHQL_OPERATION_NAME, gatewayOperation.operationName);
    }
    let document = entry.document!;
    let queryHash = entry.queryHash;
    let executedOperation = operation;
    for (const plugin of onOperation) {
      const rewrite = await plugin.onOperation!(gatewayOperation, context);
      if (rewrite) {
        document = rewrite.document;
        queryHash = `${entry.queryHash}:${rewrite.documentKey}`;
        executedOperation = getOperationAST(document, input.operationName) ?? operation;
      }
    }

    // The executor reads only these fields of Apollo Server's request context.
    const requestContext = {
      request: { query: input.query, operationName: input.operationName ?? undefined, variables: input.variables, extensions: input.extensions },
      document,
      source: input.query,
      queryHash,
      operationName: gatewayOperation.operationName,
      operation: executedOperation,
      schema,
      context,
      logger,
      metrics: {},
    } as unknown as GatewayGraphQLRequestContext;
    const executed = await executor(requestContext);

    // Only the gateway's variable check (getVariableValues) answers without `data`: the request never ran.
    if (!('data' in executed)) {
      const errors = executed.errors ?? [];
      const variableErrors = errors.every((e) => e.message.startsWith('Variable "'));
      const status = variableErrors ? 400 : 200;
      return { status, body: { errors: format(variableErrors ? withCode(errors, 'BAD_USER_INPUT') : errors, context) }, operationType, outcome: 'error' };
    }

    const result: GatewayResult = { data: executed.data, errors: executed.errors ? [...executed.errors] : [], extensions: executed.extensions };
    for (const plugin of onResponse) await plugin.onResponse!(result, gatewayOperation, context);

    const body: OperationAnswer['body'] = {};
    if (result.errors.length > 0) body.errors = format(result.errors, context);
    body.data = result.data;
    if (result.extensions && !production) body.extensions = result.extensions;
    return { status: 200, body, operationType, outcome: result.errors.length === 0 ? 'ok' : result.data ? 'partial' : 'error' };
  }

  /** Run the GraphQL pipeline; returns the HTTP status, operation type and outcome for metrics. */
  async function executeGraphQL(
    request: IncomingMessage, response: ServerResponse, search: string, context: GatewayContext, span: Span | undefined,
  ): Promise<[number, string, RequestOutcome]> {
    for (const plugin of onRequest) await plugin.onRequest!(context, request);
    const { inputs, batch } = await readOperations(request, search);
    const answers: OperationAnswer[] = [];
    // Sequential: a batch is one client's work, and parallel fan-out would let one request take many pool slots.
    for (const input of inputs) {
      if (input instanceof GatewayHttpError) {
        answers.push(errorAnswer(input, context));
        continue;
      }
      try {
        answers.push(await executeOperation(request, input, context, batch ? undefined : span));
      } catch (error) {
        answers.push(errorAnswer(error, context));
      }
    }
    if (span) {
      const code = firstErrorCode(answers);
      if (code) setErrorType(span, code);
      if (batch) span.setAttribute(ATTR_GRAPHQL_OPERATION_TYPE, 'batch');
    }
    if (!batch) {
      const [answer] = answers;
      send(response, answer.status, JSON.stringify(answer.body), { ...answer.headers });
      return [answer.status, answer.operationType, answer.outcome];
    }
    send(response, 200, JSON.stringify(answers.map((a) => a.body)));
    const outcome: RequestOutcome = answers.every((a) => a.outcome === 'ok') ? 'ok' : answers.some((a) => a.outcome !== 'error') ? 'partial' : 'error';
    return [200, 'batch', outcome];
  }

  async function handleGraphQL(request: IncomingMessage, response: ServerResponse, search: string, span?: Span): Promise<void> {
    const started = performance.now();
    const requestIdHeader = request.headers['x-request-id'];
    const context: GatewayContext = {
      requestId: typeof requestIdHeader === 'string' && requestIdHeader.length <= 128 ? requestIdHeader : randomUUID(),
      method: request.method!,
      headers: request.headers,
      state: {},
      suggestions: !production,
      deadline: Date.now() + requestTimeoutMs,
    };
    response.setHeader('x-request-id', context.requestId);
    let status: number;
    let operationType = 'none';
    let outcome: RequestOutcome = 'error';
    try {
      [status, operationType, outcome] = await executeGraphQL(request, response, search, context, span);
    } catch (error) {
      if (error instanceof GatewayHttpError) {
        status = error.status;
        if (span) setErrorType(span, error.code);
        sendErrors(response, status, error.errors, { ...error.headers }, context);
      } else {
        status = 500;
        if (span) setErrorType(span, 'INTERNAL_SERVER_ERROR');
        logger.error({ err: error, requestId: context.requestId }, 'request failed inside the gateway');
        const message = production ? 'Internal server error' : (error as Error).message;
        sendErrors(response, 500, [new GraphQLError(message, { originalError: error as Error, extensions: { code: 'INTERNAL_SERVER_ERROR' } })]);
      }
    }
    metrics.observeRequest(operationType, status, outcome, (performance.now() - started) / 1000);
    // A 200 whose every operation failed (no data) is a failure too, not only a 5xx.
    if (span) endHttpServerSpan(span, status, status >= 500 || (status === 200 && outcome === 'error'));
  }

  /** handleGraphQL inside the request's server span, so Apollo's gateway.request span and every subgraph call are its children. */
  function handleTracedGraphQL(activeTracer: Tracer, request: IncomingMessage, response: ServerResponse, search: string): Promise<void> {
    const { span, context } = startHttpServerSpan(activeTracer, request, '/graphql');
    return runInContext(context, () => handleGraphQL(request, response, search, span));
  }

  return (request, response) => {
    const url = request.url ?? '/';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    const search = queryStart === -1 ? '' : url.slice(queryStart + 1);
    const method = request.method;

    if (path === '/graphql') {
      if (method === 'GET' && graphiqlPage && request.headers.accept?.includes('text/html')) {
        const page = graphiqlPage.respond();
        send(response, 200, page.html, { ...page.headers }, 'text/html; charset=utf-8');
        return;
      }
      if (method === 'POST' || method === 'GET') {
        // Load shedding: past the cap, a fast 503 the client can retry beats an answer after everyone's deadline.
        if (inFlight >= maxInFlight) {
          metrics.resilience.shed.inc();
          request.resume();
          sendErrors(response, 503, [new GraphQLError(`The gateway is serving ${maxInFlight} requests already; retry shortly.`, { extensions: { code: 'GATEWAY_OVERLOADED' } })], {
            'retry-after': '1',
          });
          return;
        }
        inFlight++;
        metrics.resilience.inFlight.inc();
        // Tracing off (the default) costs this one check per request.
        void (tracer ? handleTracedGraphQL(tracer, request, response, search) : handleGraphQL(request, response, search)).finally(() => {
          inFlight--;
          metrics.resilience.inFlight.dec();
        });
        return;
      }
      sendErrors(response, 405, [new GraphQLError(`${method} is not supported on /graphql; use POST or GET.`, { extensions: { code: 'METHOD_NOT_ALLOWED' } })], {
        allow: 'GET, POST',
      });
      return;
    }
    if (path === '/health' && (method === 'GET' || method === 'HEAD')) {
      send(response, 200, JSON.stringify(checkHealth(options.supergraph(), startedAt)), { 'cache-control': 'no-store' });
      return;
    }
    if (path === '/ready' && (method === 'GET' || method === 'HEAD')) {
      if (!options.readiness) {
        send(response, 200, JSON.stringify(checkHealth(options.supergraph(), startedAt)), { 'cache-control': 'no-store' });
        return;
      }
      options.readiness().then(
        (readiness) => send(response, readiness.ready ? 200 : 503, JSON.stringify({ status: readiness.ready ? 'ready' : 'unavailable', ...readiness }), { 'cache-control': 'no-store' }),
        (error: unknown) => {
          logger.error({ err: error }, 'readiness check failed');
          send(response, 503, JSON.stringify({ status: 'unavailable', reason: 'readiness check failed' }), { 'cache-control': 'no-store' });
        },
      );
      return;
    }
    if (path === '/metrics' && method === 'GET') {
      metrics.render().then(
        ({ contentType, body }) => send(response, 200, body, {}, contentType),
        (error: unknown) => {
          logger.error({ err: error }, 'metrics rendering failed');
          send(response, 500, 'metrics unavailable\n', {}, 'text/plain');
        },
      );
      return;
    }
    if (graphiqlPage && path.startsWith(GRAPHIQL_ASSET_PREFIX) && graphiqlPage.serveAsset(request, response, path)) return;
    const route = options.routes?.[path];
    if (route) {
      route(request, response);
      return;
    }
    sendErrors(response, 404, [new GraphQLError(`No route ${path}; the GraphQL endpoint is /graphql.`, { extensions: { code: 'NOT_FOUND' } })]);
  };
}

/** The stable code (extensions.code) of the first error answered, for the span's `error.type`. */
function firstErrorCode(answers: readonly OperationAnswer[]): string | undefined {
  for (const answer of answers) {
    for (const error of answer.body.errors ?? []) {
      const code = error.extensions?.code;
      if (typeof code === 'string') return code;
    }
  }
  return undefined;
}
