/**
 * The CRM's rate budget, shared by every loader of the CRM subgraph (and, with
 * Redis, by its replicas): HubSpot limits each app, not each caller, to a
 * burst per rolling 10 s ("TEN_SECONDLY_ROLLING": 100 or 190 for private
 * apps) and a number per day (250,000 to 1,000,000, by tier), and answers
 * 429 with Retry-After beyond them. Spending the budget well means never
 * sending a call the CRM will refuse: a refused call costs a round trip and,
 * retried per call as before, multiplied the load (issue 11: 193 calls/s
 * against 10/s, 93% refused).
 *
 * A sliding window of reservations: a call takes the earliest time at which
 * the window ending there holds fewer than `burst` calls — now, or when the
 * `burst`-th most recent reservation leaves the window — plus a margin for
 * the difference between when we send and when the CRM counts. A call whose
 * time is further away than its request can wait is refused at once
 * (CRM_RATE_LIMITED with the wait), never queued past its deadline. A 429
 * that comes anyway pauses the whole budget until its Retry-After.
 *
 * A token bucket would let a full burst through at the start of every
 * window; against HubSpot's rolling window that can be twice the limit
 * within 10 s. Reservations in a window cannot.
 */
export interface RateBudget {
  /** Takes one call's slot, waiting for it at most `maxWaitMs`; refuses with RateBudgetRefusal otherwise. */
  acquire(maxWaitMs: number, signal?: AbortSignal): Promise<void>;
  /** The CRM answered 429: no call before `retryAfterMs` from now. */
  pause(retryAfterMs: number): Promise<void>;
  close(): Promise<void>;
}

export interface RateBudgetLimits {
  /** Calls per window. HubSpot private apps: 100 (Free/Starter) or 190 (Pro/Enterprise). */
  burst: number;
  /** The rolling window. HubSpot: 10,000 ms. */
  windowMs: number;
  /** Calls per UTC day; 0 = no daily limit. HubSpot: 250,000 and up. */
  daily: number;
  /** Added between a reservation leaving the window and the next one, for network jitter. */
  marginMs: number;
}

export class RateBudgetRefusal extends Error {
  constructor(readonly reason: 'burst' | 'daily' | 'paused', readonly retryAfterMs: number) {
    super(reason === 'daily'
      ? `the CRM's daily call limit is spent; it renews in ${Math.ceil(retryAfterMs / 1000)} s`
      : `the CRM's rate budget has no call slot within the request's deadline (next in ${retryAfterMs} ms)`);
    this.name = 'RateBudgetRefusal';
  }
}

/** What a budget decided for one call, on either store. */
export type Reservation = { at: number } | { refused: 'burst' | 'daily' | 'paused'; retryAfterMs: number };

export function msUntilNextUtcDay(now: number): number {
  const next = new Date(now);
  next.setUTCHours(24, 0, 0, 0);
  return next.getTime() - now;
}

/** Sleeps until the reservation's time, or rejects if the request's signal aborts first. */
export function waitUntil(at: number, signal?: AbortSignal): Promise<void> {
  const ms = at - Date.now();
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new RateBudgetRefusal('burst', Math.max(0, at - Date.now())));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** The budget of one process: enough for a single replica. */
export function createMemoryRateBudget(limits: RateBudgetLimits): RateBudget {
  const reservations: number[] = []; // sorted
  let pausedUntil = 0;
  let day = '';
  let usedToday = 0;

  function reserve(now: number, maxWaitMs: number): Reservation {
    const today = new Date(now).toISOString().slice(0, 10);
    if (today !== day) {
      day = today;
      usedToday = 0;
    }
    if (limits.daily > 0 && usedToday >= limits.daily) return { refused: 'daily', retryAfterMs: msUntilNextUtcDay(now) };
    // Reservations that left the window can no longer bound anything.
    let expired = 0;
    while (expired < reservations.length && reservations[expired] <= now - limits.windowMs - limits.marginMs) expired++;
    if (expired) reservations.splice(0, expired);
    let at = Math.max(now, pausedUntil);
    if (reservations.length >= limits.burst) at = Math.max(at, reservations[reservations.length - limits.burst] + limits.windowMs + limits.marginMs);
    if (at - now > maxWaitMs) return { refused: pausedUntil > now && at === pausedUntil ? 'paused' : 'burst', retryAfterMs: at - now };
    let i = reservations.length;
    while (i > 0 && reservations[i - 1] > at) i--;
    reservations.splice(i, 0, at);
    usedToday++;
    return { at };
  }

  return {
    async acquire(maxWaitMs, signal) {
      const decision = reserve(Date.now(), maxWaitMs);
      if ('refused' in decision) throw new RateBudgetRefusal(decision.refused, decision.retryAfterMs);
      await waitUntil(decision.at, signal);
    },
    async pause(retryAfterMs) {
      pausedUntil = Math.max(pausedUntil, Date.now() + retryAfterMs);
    },
    async close() {},
  };
}
