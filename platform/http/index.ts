export { createHttpClient, type HttpClient, type HttpClientOptions, type HttpMethod, type HttpRequestOptions, type HttpResponse } from './client.js';
export { HttpClientError, isHttpClientError, MAX_KEPT_BODY_CHARS, type HttpClientErrorCode, type HttpClientErrorDetails } from './errors.js';
export type { HttpCircuitBreakerOptions, HttpRetryOptions } from './resilience.js';
export { parseRetryAfter } from './retryAfter.js';
