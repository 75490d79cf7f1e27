/**
 * What went wrong talking to an upstream HTTP API, in the four kinds a
 * subgraph turns into a source error (`CRM_UNAVAILABLE`, …):
 *
 * - UNAVAILABLE: no answer (connection refused or reset, timeout), a 5xx, or
 *   the circuit breaker is open after repeated failures;
 * - RATE_LIMITED: a 429 that retries did not get past, or whose Retry-After
 *   is longer than the client is willing to wait;
 * - UNAUTHENTICATED: a 401 or 403, the credentials are wrong or lack scopes;
 * - BAD_RESPONSE: any other 4xx, or a 2xx whose body is not the JSON expected.
 */
export type HttpClientErrorCode = 'UNAVAILABLE' | 'RATE_LIMITED' | 'UNAUTHENTICATED' | 'BAD_RESPONSE';

/**
 * The most of an upstream body kept on an error. Enough to read an API's error
 * message in a log line; a multi-megabyte HTML error page is cut.
 */
export const MAX_KEPT_BODY_CHARS = 2_000;

export interface HttpClientErrorDetails {
  method: string;
  /** The path (with query) asked for, relative to the client's base URL. */
  path: string;
  /** The HTTP status, when the upstream answered at all. */
  status?: number;
  /** From Retry-After on a 429, in milliseconds. */
  retryAfterMs?: number;
  /**
   * The upstream's answer, truncated, for logs only: it can name internal
   * hosts, ids or tokens' owners, so it never goes into a client's error.
   */
  upstreamBody?: string;
  /** The low-level cause's code when there was no answer (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, …). */
  cause?: string;
  /** Whether another attempt of the same call may succeed and is safe to make. */
  retryable: boolean;
  /** How many attempts the client made before giving up. Set when the call finally fails. */
  attempts?: number;
}

export class HttpClientError extends Error {
  readonly code: HttpClientErrorCode;
  readonly method: string;
  readonly path: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly upstreamBody?: string;
  readonly causeCode?: string;
  readonly retryable: boolean;
  attempts: number;

  constructor(code: HttpClientErrorCode, message: string, details: HttpClientErrorDetails) {
    super(message);
    this.name = 'HttpClientError';
    this.code = code;
    this.method = details.method;
    this.path = details.path;
    this.status = details.status;
    this.retryAfterMs = details.retryAfterMs;
    this.upstreamBody = details.upstreamBody === undefined ? undefined : truncate(details.upstreamBody);
    this.causeCode = details.cause;
    this.retryable = details.retryable;
    this.attempts = details.attempts ?? 1;
  }

  /** A plain object for a structured log line (upstream body included: logs are not clients). */
  toLog(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      method: this.method,
      path: this.path,
      status: this.status,
      retryAfterMs: this.retryAfterMs,
      cause: this.causeCode,
      attempts: this.attempts,
      upstreamBody: this.upstreamBody,
    };
  }
}

export function isHttpClientError(error: unknown): error is HttpClientError {
  return error instanceof HttpClientError;
}

function truncate(body: string): string {
  return body.length > MAX_KEPT_BODY_CHARS ? `${body.slice(0, MAX_KEPT_BODY_CHARS)}… (${body.length} chars)` : body;
}
