import { trace } from '@opentelemetry/api';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { loadGatewayConfig, resolveGatewayConfig } from '../config.js';
import { startGatewayTracing } from './tracing.js';

describe('gateway tracing when the environment does not ask for it', () => {
  it('reads as off, starts nothing and leaves the global OpenTelemetry API a no-op', () => {
    const config = loadGatewayConfig({});
    expect(config.tracing).toEqual({ enabled: false });
    expect(resolveGatewayConfig({ port: 0, subgraphs: [{ name: 'a', url: 'http://a/graphql' }], production: false }).tracing).toEqual({ enabled: false });

    expect(startGatewayTracing(config.tracing!, pino({ level: 'silent' }))).toBeUndefined();

    // No provider registered: a span from the global API records nothing and has no trace id.
    const span = trace.getTracer('apollo/gateway-js').startSpan('gateway.request');
    expect(span.isRecording()).toBe(false);
    expect(trace.isSpanContextValid(span.spanContext())).toBe(false);
    span.end();
  });
});
