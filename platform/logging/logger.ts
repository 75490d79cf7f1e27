import { context, isSpanContextValid, trace } from '@opentelemetry/api';
import pino, { type Logger, type LoggerOptions } from 'pino';

/**
 * The trace and span of the OpenTelemetry span current when a line is logged
 * (OpenTelemetry's log data model names: trace_id, span_id, trace_flags), so a
 * log line leads to its trace and back. Nothing when no span is active or
 * tracing is off.
 */
export function traceFields(): Record<string, string> {
  const span = trace.getSpan(context.active());
  if (!span) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId, trace_flags: `0${spanContext.traceFlags.toString(16)}`.slice(-2) };
}

/** A service's pino logger whose every line carries the current trace id and span id. */
export function createLogger(options: LoggerOptions & { name: string }, destination?: pino.DestinationStream): Logger {
  const settings: LoggerOptions = { ...options, mixin: (merge, level, logger) => ({ ...traceFields(), ...options.mixin?.(merge, level, logger) }) };
  return destination ? pino(settings, destination) : pino(settings);
}
