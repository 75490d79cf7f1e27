import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from './client.js';

describe('the HTTP client inside a traced request', () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const tracer = provider.getTracer('test');
  const received: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    received.push(req.headers);
    req.resume();
    // The first call fails with a 503, so the retry is a second attempt with a span of its own.
    res.writeHead(received.length === 1 ? 503 : 200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
  let url: string;

  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });

  afterAll(async () => {
    context.disable();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('makes a client span per attempt, with the path but not its query string, and sends traceparent', async () => {
    const http = createHttpClient({ baseUrl: url, headers: { authorization: 'Bearer secret-token' }, tracer, retry: { initialDelayMs: 1 } });
    const parent = tracer.startSpan('request');
    await context.with(trace.setSpan(ROOT_CONTEXT, parent), () => http.getJson('/things/7', { query: { q: 'acme corp' } }));
    parent.end();
    await http.close();

    const attempts = exporter.getFinishedSpans().filter((s) => s.name === 'GET');
    expect(attempts.map((s) => [s.attributes['url.path'], s.attributes['http.response.status_code'], s.attributes['http.request.resend_count']])).toEqual([
      ['/api/things/7', 503, undefined],
      ['/api/things/7', 200, 1],
    ]);
    expect(attempts.every((s) => s.parentSpanId === parent.spanContext().spanId && s.spanContext().traceId === parent.spanContext().traceId)).toBe(true);
    expect(JSON.stringify(attempts.map((s) => s.attributes))).not.toMatch(/acme|secret-token/);
    expect(received.map((h) => h.traceparent)).toEqual(attempts.map((s) => `00-${s.spanContext().traceId}-${s.spanContext().spanId}-01`));
  });

  it('makes no span and sends no traceparent outside a traced request', async () => {
    exporter.reset();
    received.length = 1; // past the scripted 503
    const http = createHttpClient({ baseUrl: url, tracer });
    await http.getJson('/health');
    await http.close();
    expect(exporter.getFinishedSpans()).toEqual([]);
    expect(received[1].traceparent).toBeUndefined();
  });
});
