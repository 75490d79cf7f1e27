import { defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * W3C Trace Context (`traceparent`, `tracestate`) used directly rather than
 * through the global propagator: tracing-off processes never register one,
 * and the services in one `npm start` process share nothing but the context.
 */
const propagator = new W3CTraceContextPropagator();

/** The caller's trace context from incoming headers (ROOT_CONTEXT when there is none or it is malformed). */
export function extractTraceContext(headers: IncomingHttpHeaders): Context {
  return propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** Adds `traceparent` (and `tracestate` when set) for the span active in `from` to outgoing headers. */
export function injectTraceContext(from: Context, headers: Record<string, string>): void {
  propagator.inject(from, headers, defaultTextMapSetter);
}
