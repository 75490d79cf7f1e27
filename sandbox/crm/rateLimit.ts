/**
 * HubSpot's burst limit is a rolling window per app ("TEN_SECONDLY_ROLLING":
 * 100 or 190 requests per 10 s for private apps). The stand-in keeps a log of
 * accepted request times per token and refuses a request when the window
 * already holds `requests` of them. Refused requests are not logged, so a
 * client that waits `Retry-After` gets through.
 */
export interface RateLimitOptions {
  requests: number;
  perMs: number;
}

export type RateLimitDecision =
  | { allowed: true; limit: number; remaining: number; intervalMs: number }
  | { allowed: false; limit: number; remaining: 0; intervalMs: number; retryAfterMs: number };

export class SlidingWindowLimiter {
  private readonly log = new Map<string, number[]>();

  constructor(private readonly options: RateLimitOptions) {
    if (!Number.isInteger(options.requests) || options.requests < 1) throw new Error(`rateLimit.requests: expected an integer ≥ 1, got ${options.requests}`);
    if (!Number.isFinite(options.perMs) || options.perMs < 1) throw new Error(`rateLimit.perMs: expected a number ≥ 1, got ${options.perMs}`);
  }

  /** Takes one request from `key`'s budget if there is room. */
  take(key: string, now = Date.now()): RateLimitDecision {
    const { requests, perMs } = this.options;
    const times = this.log.get(key) ?? [];
    const windowStart = now - perMs;
    // Times are appended in order, so the expired ones are a prefix.
    let expired = 0;
    while (expired < times.length && times[expired] <= windowStart) expired++;
    if (expired) times.splice(0, expired);
    if (times.length >= requests) {
      this.log.set(key, times);
      return { allowed: false, limit: requests, remaining: 0, intervalMs: perMs, retryAfterMs: times[0] + perMs - now };
    }
    times.push(now);
    this.log.set(key, times);
    return { allowed: true, limit: requests, remaining: requests - times.length, intervalMs: perMs };
  }
}
