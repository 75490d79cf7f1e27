import { DelegateBackoff, handleWhen, noop, retry, type IPolicy, type IRetryBackoffContext } from 'cockatiel';
import { remainingBudgetMs } from '../deadline/index.js';
import { HttpClientError } from './errors.js';

export interface HttpRetryOptions {
  /** Attempts in all, the first included. 1 turns retries off. @default 3 */
  maxAttempts?: number;
  /**
   * The longest Retry-After the client waits for. A longer one fails at once
   * with RATE_LIMITED and the wait in `retryAfterMs`: a GraphQL answer held
   * for many seconds is worse for a caller than a clear error saying when to
   * come back. @default 5000
   */
  maxRetryAfterMs?: number;
  /** First backoff after a connection error or 5xx; doubles per attempt, with jitter. @default 100 */
  initialDelayMs?: number;
  /** Cap of the backoff. @default 2000 */
  maxDelayMs?: number;
}

export interface HttpCircuitBreakerOptions {
  /**
   * Consecutive UNAVAILABLE attempts that open the circuit. While it is open,
   * calls fail at once instead of each waiting out its retries against a
   * source that is down. @default 5
   */
  consecutiveFailures?: number;
  /** How long the circuit stays open before one trial call is let through. @default 5000 */
  halfOpenAfterMs?: number;
}

export interface ResolvedRetryOptions {
  maxAttempts: number;
  maxRetryAfterMs: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export function resolveRetryOptions(options: HttpRetryOptions = {}): ResolvedRetryOptions {
  const resolved = {
    maxAttempts: options.maxAttempts ?? 3,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 5_000,
    initialDelayMs: options.initialDelayMs ?? 100,
    maxDelayMs: options.maxDelayMs ?? 2_000,
  };
  for (const [key, value] of Object.entries(resolved)) {
    const min = key === 'maxAttempts' ? 1 : 0;
    if (!Number.isInteger(value) || value < min) {
      throw new TypeError(`retry.${key}: expected an integer ≥ ${min}, got ${JSON.stringify(value)}`);
    }
  }
  return resolved;
}

/**
 * The delay before the next attempt: the upstream's Retry-After when it sent
 * one (a 429 or 503 says exactly when to come back), otherwise exponential
 * backoff with "equal jitter" so replicas that failed together do not retry
 * together.
 */
function nextDelay(options: ResolvedRetryOptions, context: IRetryBackoffContext<unknown>): number {
  const error = 'error' in context.result ? context.result.error : undefined;
  if (error instanceof HttpClientError && error.retryAfterMs !== undefined) return error.retryAfterMs;
  const ceiling = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** (context.attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/**
 * Retries of retryable failures, waiting as nextDelay says — but never past
 * the request's budget: a retry whose wait would end after the deadline is
 * not made, and the failure is answered now.
 */
export function createRetryPolicy(retryOptions: ResolvedRetryOptions): IPolicy {
  if (retryOptions.maxAttempts <= 1) return noop;
  return retry(
    handleWhen((error) => {
      if (!(error instanceof HttpClientError) || !error.retryable) return false;
      const left = remainingBudgetMs();
      return left === undefined || left > (error.retryAfterMs ?? retryOptions.initialDelayMs) + MIN_ATTEMPT_MS;
    }),
    {
      maxAttempts: retryOptions.maxAttempts - 1, // cockatiel counts retries, not attempts
      backoff: new DelegateBackoff((context: IRetryBackoffContext<unknown>) => nextDelay(retryOptions, context)),
    },
  );
}

/** Less time than this left after a retry's wait is not worth an attempt. */
const MIN_ATTEMPT_MS = 50;
