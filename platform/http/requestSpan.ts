import { context, SpanKind, SpanStatusCode, trace, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE, ATTR_HTTP_REQUEST_METHOD, ATTR_HTTP_REQUEST_RESEND_COUNT, ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT, ATTR_URL_PATH, ATTR_URL_SCHEME,
} from '@opentelemetry/semantic-conventions';
import { injectTraceContext } from '../tracing/traceContext.js';

/**
 * The client span of one HTTP attempt to a source API. It records the method,
 * the origin and the path WITHOUT its query string (search terms, API keys in
 * URLs); never headers or bodies. It also puts `traceparent` into `headers`,
 * so a traced upstream continues the trace.
 *
 * Returns undefined — and touches nothing — outside a traced request: a lone
 * health-check call would otherwise be a root span of its own.
 */
export function startHttpRequestSpan(
  tracer: Tracer,
  request: { method: string; path: string; base: URL; attempt: number },
  headers: Record<string, string>,
): Span | undefined {
  const parent = context.active();
  if (!trace.getSpan(parent)) return undefined;
  const queryStart = request.path.indexOf('?');
  const span = tracer.startSpan(
    request.method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: request.method,
        [ATTR_URL_SCHEME]: request.base.protocol.slice(0, -1),
        [ATTR_URL_PATH]: queryStart === -1 ? request.path : request.path.slice(0, queryStart),
        [ATTR_SERVER_ADDRESS]: request.base.hostname,
        [ATTR_SERVER_PORT]: Number(request.base.port || (request.base.protocol === 'https:' ? 443 : 80)),
        ...(request.attempt > 1 ? { [ATTR_HTTP_REQUEST_RESEND_COUNT]: request.attempt - 1 } : {}),
      },
    },
    parent,
  );
  injectTraceContext(trace.setSpan(parent, span), headers);
  return span;
}

/** Ends the attempt's span: the status when one came, else the failure's stable code (a 4xx or 5xx is an error for a client). */
export function endHttpRequestSpan(span: Span, outcome: { status?: number; errorCode?: string }): void {
  if (outcome.status !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, outcome.status);
  const failed = outcome.errorCode !== undefined || (outcome.status !== undefined && outcome.status >= 400);
  if (failed) {
    span.setAttribute(ATTR_ERROR_TYPE, outcome.errorCode ?? String(outcome.status));
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
}
