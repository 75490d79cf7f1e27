import { context, SpanKind, SpanStatusCode, trace, type Context, type Span, type Tracer } from '@opentelemetry/api';
import type { IncomingMessage } from 'node:http';
import { ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_HTTP_ROUTE, ATTR_URL_PATH, ATTR_URL_SCHEME } from '@opentelemetry/semantic-conventions';
import { extractTraceContext } from './traceContext.js';

/** GraphQL attributes every Concord span uses (OpenTelemetry's GraphQL semantic conventions). */
export const ATTR_GRAPHQL_OPERATION_NAME = 'graphql.operation.name';
export const ATTR_GRAPHQL_OPERATION_TYPE = 'graphql.operation.type';

export interface HttpServerSpan {
  span: Span;
  /** The context to run the request in, so every span it causes is a child. */
  context: Context;
}

/**
 * The server span of one HTTP request, continuing the caller's trace when it
 * sent a W3C `traceparent`. Only method, route and path are recorded: never
 * headers (tokens, the gateway proof), query strings or bodies.
 */
export function startHttpServerSpan(tracer: Tracer, request: IncomingMessage, route: string): HttpServerSpan {
  const parent = extractTraceContext(request.headers);
  const method = request.method ?? 'GET';
  const span = tracer.startSpan(
    `${method} ${route}`,
    {
      kind: SpanKind.SERVER,
      attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: route, [ATTR_URL_SCHEME]: 'http' },
    },
    parent,
  );
  return { span, context: trace.setSpan(parent, span) };
}

/**
 * Ends a server span with its HTTP status. A 5xx is an error (a 4xx is the
 * caller's, per the HTTP conventions); callers that know better — a GraphQL
 * answer with errors and no data — pass `failed`. The failure's stable code
 * goes in `error.type` (set by the caller), never the message, which may quote data.
 */
export function endHttpServerSpan(span: Span, status: number, failed = status >= 500): void {
  span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, status);
  if (failed) span.setStatus({ code: SpanStatusCode.ERROR });
  span.end();
}

/** Records a failure's stable code (extensions.code, SQLSTATE, HTTP status) on a span. */
export function setErrorType(span: Span, code: string): void {
  span.setAttribute(ATTR_ERROR_TYPE, code);
}

/** Runs `fn` with `ctx` active (a thin alias so callers need not import the API's context object). */
export function runInContext<T>(ctx: Context, fn: () => T): T {
  return context.with(ctx, fn);
}
