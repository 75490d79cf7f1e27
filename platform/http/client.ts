import type { Tracer } from '@opentelemetry/api';
import { Pool, type Dispatcher } from 'undici';
import { attemptSignal } from './attemptSignal.js';
import { HttpClientError, type HttpClientErrorCode } from './errors.js';
import { currentBudget, remainingBudgetMs } from '../deadline/index.js';
import { createSourceGuard, SourceRefusedError, type SourceGuard } from '../resilience/sourceGuard.js';
import { createRetryPolicy, resolveRetryOptions, type HttpCircuitBreakerOptions, type HttpRetryOptions } from './resilience.js';
import { parseRetryAfter } from './retryAfter.js';
import { endHttpRequestSpan, startHttpRequestSpan } from './requestSpan.js';

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpClientOptions {
  /** The API's base URL; a path in it (https://host/api) prefixes every request path. */
  baseUrl: string;
  /** Sent with every request, e.g. `authorization`. */
  headers?: Record<string, string>;
  /** Time allowed for one attempt, connection to last body byte. @default 10000 */
  timeoutMs?: number;
  retry?: HttpRetryOptions;
  /** `false` turns the breaker off. Ignored when `guard` is given. */
  circuitBreaker?: HttpCircuitBreakerOptions | false;
  /**
   * The source's breaker and bulkhead (createSourceGuard), each attempt going
   * through them. @default a guard of the client's own from `circuitBreaker`
   */
  guard?: SourceGuard;
  /**
   * Before each attempt (retries included): waits for the upstream's rate
   * budget, or throws to refuse the call without sending it. Given the time
   * the request can still wait.
   */
  beforeAttempt?(maxWaitMs: number, signal: AbortSignal | undefined): Promise<void>;
  /** The upstream answered 429; `retryAfterMs` when it said how long to wait. */
  onRateLimited?(retryAfterMs: number | undefined): void;
  /**
   * Keep-alive connections to the origin. Batch reads fan out in parallel
   * chunks, so a few connections avoid queueing them behind each other. @default 16
   */
  connections?: number;
  /**
   * A client span per attempt (method, path without query, status) and a
   * `traceparent` header to the upstream, within a traced request. @default none
   */
  tracer?: Tracer;
}

export interface HttpRequestOptions {
  method: HttpMethod;
  /** Relative to the base URL, starting with `/`. */
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  /** Serialised as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  /**
   * Whether the call may be repeated after a timeout, a reset or a 5xx (when
   * the upstream may have acted on it). GET, HEAD, PUT and DELETE are by
   * definition; a POST is only when the caller says so, as for HubSpot's batch
   * read and search, which read and change nothing. A 429 or a refused
   * connection is retried either way: the upstream did not act on those.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface HttpClient {
  readonly baseUrl: string;
  /** Sends one JSON request with retries; resolves on 2xx with the parsed body, rejects with HttpClientError. */
  request<T = unknown>(options: HttpRequestOptions): Promise<HttpResponse<T>>;
  getJson<T = unknown>(path: string, options?: Omit<HttpRequestOptions, 'method' | 'path' | 'body'>): Promise<T>;
  postJson<T = unknown>(path: string, body: unknown, options?: Omit<HttpRequestOptions, 'method' | 'path' | 'body'>): Promise<T>;
  /** Closes the keep-alive pool; in-flight requests finish first. */
  close(): Promise<void>;
}

const IDEMPOTENT_METHODS: ReadonlySet<HttpMethod> = new Set(['GET', 'HEAD', 'PUT', 'DELETE']);

/** Failures before any byte reached the upstream: always safe to retry. */
const NOT_SENT_CAUSES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * An HTTP JSON client for one upstream API: an undici keep-alive Pool per
 * origin, a timeout per attempt, retries with backoff (cockatiel) on
 * connection errors, 5xx and 429 — honouring Retry-After up to a bound — and a
 * circuit breaker that fails fast while the upstream is down. Every failure is
 * an HttpClientError with a stable code; the upstream body stays on the error
 * for logs.
 */
export function createHttpClient(options: HttpClientOptions): HttpClient {
  let base: URL;
  try {
    base = new URL(options.baseUrl);
  } catch {
    throw new TypeError(`baseUrl: expected an absolute http(s) URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new TypeError(`baseUrl: expected an http or https URL, got ${JSON.stringify(options.baseUrl)}`);
  }
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new TypeError(`timeoutMs: expected an integer ≥ 1, got ${JSON.stringify(options.timeoutMs)}`);
  const retryOptions = resolveRetryOptions(options.retry);
  const policy = createRetryPolicy(retryOptions);
  const guard = options.guard ?? (options.circuitBreaker === false ? undefined : createSourceGuard({
    source: base.origin,
    consecutiveFailures: options.circuitBreaker?.consecutiveFailures ?? 5,
    halfOpenAfterMs: options.circuitBreaker?.halfOpenAfterMs ?? 5_000,
    maxConcurrent: 1_000,
    maxQueued: 0,
    isOutage: (error) => error instanceof HttpClientError && error.code === 'UNAVAILABLE',
  }));
  const prefix = base.pathname.replace(/\/+$/, '');
  const pool = new Pool(base.origin, {
    connections: options.connections ?? 16,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    // Below the servers' usual keep-alive (Node: 5 s, ours: 65 s) so the
    // client, not the server, closes idle sockets and no request races a reset.
    keepAliveTimeout: 4_000,
  });
  const defaultHeaders = lowerCaseKeys(options.headers ?? {});

  async function attempt<T>(request: HttpRequestOptions, path: string, idempotent: boolean, attemptNumber: number, onSend: () => void): Promise<HttpResponse<T>> {
    // One attempt gets its own limit, cut to what is left of the request's budget.
    const left = remainingBudgetMs();
    const attemptMs = left === undefined ? timeoutMs : Math.min(timeoutMs, left);
    if (attemptMs <= 0) {
      throw new HttpClientError('UNAVAILABLE', `${request.method} ${path} not sent: the request's deadline has passed`, {
        method: request.method, path, cause: 'DEADLINE_EXCEEDED', retryable: false,
      });
    }
    onSend();
    const headers: Record<string, string> = { accept: 'application/json', ...defaultHeaders, ...lowerCaseKeys(request.headers ?? {}) };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers['content-type'] ??= 'application/json';
    }
    const span = options.tracer && startHttpRequestSpan(options.tracer, { method: request.method, path, base, attempt: attemptNumber }, headers);
    let response: Dispatcher.ResponseData;
    let text: string;
    const limit = attemptSignal(Math.max(1, Math.floor(attemptMs)), request.signal);
    try {
      response = await pool.request({ method: request.method, path, headers, body, signal: limit.signal });
      text = await response.body.text();
    } catch (error) {
      const failure = noAnswerError(error, request.method, path, idempotent, Math.floor(attemptMs));
      if (span) endHttpRequestSpan(span, { errorCode: failure.causeCode ?? failure.code });
      throw failure;
    } finally {
      limit.release();
    }
    const status = response.statusCode;
    if (span) endHttpRequestSpan(span, { status });
    if (status >= 200 && status < 300) {
      if (text === '' || status === 204) return { status, headers: response.headers, body: undefined as T };
      try {
        return { status, headers: response.headers, body: JSON.parse(text) as T };
      } catch {
        throw new HttpClientError('BAD_RESPONSE', `${request.method} ${path} answered ${status} with a body that is not JSON`, {
          method: request.method, path, status, upstreamBody: text, retryable: false,
        });
      }
    }
    const failure = statusError(status, response.headers, text, request.method, path, idempotent, retryOptions.maxRetryAfterMs);
    if (status === 429) options.onRateLimited?.(failure.retryAfterMs ?? parseRetryAfter(response.headers['retry-after']));
    throw failure;
  }

  /** One attempt: the rate budget's slot first (outside the breaker: waiting is not the upstream's latency), then breaker and bulkhead. */
  async function guardedAttempt<T>(request: HttpRequestOptions, path: string, idempotent: boolean, attemptNumber: number, onSend: () => void): Promise<HttpResponse<T>> {
    if (options.beforeAttempt) {
      const left = remainingBudgetMs();
      await options.beforeAttempt(left === undefined ? retryOptions.maxRetryAfterMs : Math.max(0, left - 1), currentBudget()?.signal ?? request.signal);
    }
    if (!guard) return attempt<T>(request, path, idempotent, attemptNumber, onSend);
    try {
      return await guard.run(() => attempt<T>(request, path, idempotent, attemptNumber, onSend));
    } catch (error) {
      if (error instanceof SourceRefusedError) {
        const what = error.reason === 'CIRCUIT_OPEN'
          ? `the circuit is open after repeated failures of ${base.origin}`
          : error.reason === 'BULKHEAD_FULL' ? `too many calls to ${base.origin} are waiting` : `the request's deadline has passed`;
        throw new HttpClientError('UNAVAILABLE', `${request.method} ${path} not sent: ${what}`, {
          method: request.method, path, cause: error.reason, retryable: false, retryAfterMs: error.retryAfterMs,
        });
      }
      throw error;
    }
  }

  async function request<T>(request: HttpRequestOptions): Promise<HttpResponse<T>> {
    const path = prefix + request.path + queryString(request.query);
    const idempotent = request.idempotent ?? IDEMPOTENT_METHODS.has(request.method);
    let attempts = 0;
    try {
      // Counted when an attempt is really sent: one refused by the breaker, bulkhead or rate budget is none.
      return await policy.execute(() => guardedAttempt<T>(request, path, idempotent, attempts + 1, () => attempts++));
    } catch (error) {
      if (error instanceof HttpClientError) {
        error.attempts = attempts;
        throw error;
      }
      throw error;
    }
  }

  return {
    baseUrl: options.baseUrl,
    request,
    async getJson(path, rest) {
      return (await request({ ...rest, method: 'GET', path })).body as never;
    },
    async postJson(path, body, rest) {
      return (await request({ ...rest, method: 'POST', path, body })).body as never;
    },
    async close() {
      await pool.close();
    },
  };
}

function noAnswerError(error: unknown, method: string, path: string, idempotent: boolean, timeoutMs: number): HttpClientError {
  const cause = errorCode(error);
  const timedOut = cause === 'TimeoutError' || cause === 'UND_ERR_HEADERS_TIMEOUT' || cause === 'UND_ERR_BODY_TIMEOUT';
  const aborted = cause === 'AbortError';
  const message = timedOut
    ? `${method} ${path} timed out after ${timeoutMs} ms`
    : aborted
      ? `${method} ${path} was aborted by the caller`
      : `${method} ${path} failed without an answer (${cause})`;
  return new HttpClientError('UNAVAILABLE', message, {
    method,
    path,
    cause,
    retryable: !aborted && (idempotent || NOT_SENT_CAUSES.has(cause)),
  });
}

/** Maps a non-2xx answer to its kind; see HttpClientErrorCode. */
function statusError(
  status: number,
  headers: Record<string, string | string[] | undefined>,
  text: string,
  method: string,
  path: string,
  idempotent: boolean,
  maxRetryAfterMs: number,
): HttpClientError {
  const details = { method, path, status, upstreamBody: text };
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(headers['retry-after']);
    const waitable = retryAfterMs === undefined || retryAfterMs <= maxRetryAfterMs;
    const message = retryAfterMs === undefined
      ? `${method} ${path} was rate limited (429)`
      : `${method} ${path} was rate limited (429), retry after ${retryAfterMs} ms`;
    return new HttpClientError('RATE_LIMITED', message, { ...details, retryAfterMs, retryable: waitable });
  }
  if (status === 401 || status === 403) {
    return new HttpClientError('UNAUTHENTICATED', `${method} ${path} was refused (${status}): the credentials are missing, wrong or lack a scope`, {
      ...details, retryable: false,
    });
  }
  if (status >= 500) {
    const retryAfterMs = status === 503 ? parseRetryAfter(headers['retry-after']) : undefined;
    return new HttpClientError('UNAVAILABLE', `${method} ${path} failed upstream (${status})`, {
      ...details,
      retryAfterMs: retryAfterMs !== undefined && retryAfterMs <= maxRetryAfterMs ? retryAfterMs : undefined,
      retryable: idempotent,
    });
  }
  return new HttpClientError('BAD_RESPONSE', `${method} ${path} was rejected (${status})`, { ...details, retryable: false });
}

function errorCode(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'UNKNOWN';
  const { code, name, cause } = error as { code?: unknown; name?: unknown; cause?: unknown };
  if (name === 'TimeoutError' || name === 'AbortError') {
    // undici rethrows the signal's reason; AbortSignal.timeout's reason is a TimeoutError.
    return name;
  }
  if (typeof code === 'string') return code;
  if (error instanceof AggregateError && error.errors.length) return errorCode(error.errors[0]);
  if (cause) return errorCode(cause);
  return typeof name === 'string' ? name : 'UNKNOWN';
}

function queryString(query: HttpRequestOptions['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined) params.append(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}
