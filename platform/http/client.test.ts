import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createHttpClient, type HttpClient } from './client.js';
import { HttpClientError } from './errors.js';
import { parseRetryAfter } from './retryAfter.js';

/** A real HTTP server on a free port whose answers a test scripts, one per request. */
async function scriptedServer(answer: (req: IncomingMessage, res: ServerResponse, n: number) => void) {
  const received: Array<{ method: string; url: string; body: string; at: number; authorization?: string }> = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ method: req.method!, url: req.url!, body: Buffer.concat(chunks).toString(), at: Date.now(), authorization: req.headers.authorization });
      answer(req, res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); }),
  };
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function client(options: Parameters<typeof createHttpClient>[0]): HttpClient {
  const c = createHttpClient(options);
  cleanups.push(() => c.close());
  return c;
}

async function failure(promise: Promise<unknown>): Promise<HttpClientError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpClientError);
    return error as HttpClientError;
  }
  throw new Error('expected the call to fail');
}

describe('createHttpClient', () => {
  it('sends JSON with the default headers under the base path and parses the answer', async () => {
    const server = await scriptedServer((_req, res) => json(res, 200, { ok: true }));
    cleanups.push(server.close);
    const http = client({ baseUrl: `${server.url}/api/`, headers: { Authorization: 'Bearer t' } });
    const body = await http.postJson('/things/batch/read', { inputs: [{ id: '1' }] }, { query: { archived: false } });
    expect(body).toEqual({ ok: true });
    expect(server.received).toEqual([
      expect.objectContaining({ method: 'POST', url: '/api/things/batch/read?archived=false', body: '{"inputs":[{"id":"1"}]}', authorization: 'Bearer t' }),
    ]);
  });

  it('waits out Retry-After on a 429 and then succeeds', async () => {
    const server = await scriptedServer((_req, res, n) =>
      n === 1 ? json(res, 429, { status: 'error', category: 'RATE_LIMITS' }, { 'retry-after': '1' }) : json(res, 200, { n }),
    );
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url });
    expect(await http.getJson('/x')).toEqual({ n: 2 });
    expect(server.received).toHaveLength(2);
    expect(server.received[1].at - server.received[0].at).toBeGreaterThanOrEqual(950);
  });

  it('gives up at once with RATE_LIMITED when Retry-After is longer than it may wait', async () => {
    const server = await scriptedServer((_req, res) => json(res, 429, { message: 'slow down' }, { 'retry-after': '60' }));
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url, retry: { maxRetryAfterMs: 2_000 } });
    const error = await failure(http.getJson('/x'));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: 60_000, attempts: 1 });
    expect(error.upstreamBody).toContain('slow down');
    expect(server.received).toHaveLength(1);
  });

  it('retries a 5xx on an idempotent call up to maxAttempts, then fails UNAVAILABLE with the body kept for logs', async () => {
    const server = await scriptedServer((_req, res) => json(res, 502, { secret: 'internal host db-7' }));
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url, retry: { maxAttempts: 3, initialDelayMs: 5 } });
    const error = await failure(http.postJson('/search', {}, { idempotent: true }));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', status: 502, attempts: 3 });
    expect(error.message).not.toContain('db-7');
    expect(error.upstreamBody).toContain('db-7');
    expect(server.received).toHaveLength(3);
  });

  it('does not repeat a plain POST after a 5xx: the upstream may have acted on it', async () => {
    const server = await scriptedServer((_req, res) => json(res, 500, {}));
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url, retry: { initialDelayMs: 5 } });
    expect(await failure(http.postJson('/create', {}))).toMatchObject({ code: 'UNAVAILABLE', attempts: 1 });
    expect(server.received).toHaveLength(1);
  });

  it('maps 401 to UNAUTHENTICATED and other 4xx to BAD_RESPONSE, without retrying', async () => {
    const server = await scriptedServer((req, res) => json(res, req.url === '/auth' ? 401 : 400, { message: 'no' }));
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url, retry: { initialDelayMs: 5 } });
    expect(await failure(http.getJson('/auth'))).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, attempts: 1 });
    expect(await failure(http.getJson('/bad'))).toMatchObject({ code: 'BAD_RESPONSE', status: 400, attempts: 1 });
    expect(server.received).toHaveLength(2);
  });

  it('fails UNAVAILABLE after retrying a refused connection, and the open circuit then fails fast', async () => {
    const server = await scriptedServer((_req, res) => json(res, 200, {}));
    const url = server.url;
    await server.close(); // nothing listens on that port any more
    const http = client({ baseUrl: url, retry: { maxAttempts: 3, initialDelayMs: 5 }, circuitBreaker: { consecutiveFailures: 3, halfOpenAfterMs: 60_000 } });
    const refused = await failure(http.getJson('/x'));
    expect(refused).toMatchObject({ code: 'UNAVAILABLE', causeCode: 'ECONNREFUSED', attempts: 3 });
    const open = await failure(http.getJson('/x'));
    expect(open).toMatchObject({ code: 'UNAVAILABLE', causeCode: 'CIRCUIT_OPEN', attempts: 0 });
  });

  it('times out an attempt that gets no answer', async () => {
    const server = await scriptedServer(() => {}); // never answers
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url, timeoutMs: 200, retry: { maxAttempts: 2, initialDelayMs: 5 } });
    const error = await failure(http.getJson('/slow'));
    expect(error).toMatchObject({ code: 'UNAVAILABLE', attempts: 2 });
    expect(error.message).toMatch(/timed out after 200 ms/);
  });

  it('rejects a 2xx body that is not JSON as BAD_RESPONSE', async () => {
    const server = await scriptedServer((_req, res) => { res.writeHead(200); res.end('<html>'); });
    cleanups.push(server.close);
    const http = client({ baseUrl: server.url });
    expect(await failure(http.getJson('/x'))).toMatchObject({ code: 'BAD_RESPONSE', upstreamBody: '<html>' });
  });

  it('refuses a bad configuration naming the option', () => {
    expect(() => createHttpClient({ baseUrl: 'not a url' })).toThrow(/baseUrl/);
    expect(() => createHttpClient({ baseUrl: 'http://x', retry: { maxAttempts: 0 } })).toThrow(/retry.maxAttempts/);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0.5')).toBe(500);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});
