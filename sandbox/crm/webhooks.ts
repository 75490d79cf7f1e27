import { createHmac, randomInt } from 'node:crypto';
import { request } from 'undici';

/**
 * HubSpot's webhook subscriptions for companies, as an app configures them:
 * where to send, the app's client secret (the v3 signature key), its ids.
 */
export interface WebhookSettings {
  /** The app's target URL, e.g. http://127.0.0.1:4011/webhooks/hubspot */
  targetUrl: string;
  clientSecret: string;
  /** @default 1 */
  appId?: number;
  /** @default 62515 (HubSpot's docs' example portal) */
  portalId?: number;
  /** How long events are gathered into one request (HubSpot batches up to 100). @default 100 */
  batchMs?: number;
  /** Attempts per batch before it is given up; HubSpot retries 10 times over 24 h. @default 10 */
  maxAttempts?: number;
  /** First retry delay, doubled each time (HubSpot's backoff, compressed for a sandbox). @default 200 */
  retryBaseMs?: number;
}

/** One webhook event, in HubSpot's payload shape (a request body is an array of them). */
export interface WebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: 'company.creation' | 'company.propertyChange' | 'company.deletion' | 'company.merge';
  attemptNumber: number;
  objectId: number;
  changeSource: string;
  changeFlag?: string;
  propertyName?: string;
  propertyValue?: string;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
  newObjectId?: number;
  numberOfPropertiesMoved?: number;
}

const SUBSCRIPTION_IDS: Record<WebhookEvent['subscriptionType'], number> = {
  'company.creation': 1001, 'company.propertyChange': 1002, 'company.deletion': 1003, 'company.merge': 1004,
};

/**
 * HubSpot's v3 request signature: HMAC-SHA256 with the app's client secret
 * over method + URI + body + timestamp, base64. The receiver recomputes it.
 */
export function signWebhookV3(secret: string, method: string, uri: string, body: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method}${uri}${body}${timestamp}`, 'utf8').digest('base64');
}

export interface WebhookDispatcher {
  configure(settings: WebhookSettings | undefined): void;
  emit(events: Array<Omit<WebhookEvent, 'eventId' | 'subscriptionId' | 'portalId' | 'appId' | 'attemptNumber' | 'changeSource'> & { changeSource?: string }>): void;
  /** Resolves once every event emitted so far was delivered or given up. */
  drain(): Promise<void>;
  stats(): { delivered: number; attempts: number; failures: number; givenUp: number; queued: number };
  close(): Promise<void>;
}

/**
 * Sends the CRM's changes to the configured app as HubSpot does: events
 * gathered into batches of at most 100, each request signed (v3), a non-2xx
 * answer or a network error retried with exponential backoff, each retry
 * carrying attemptNumber + 1. In memory only: a sandbox restart loses what
 * was queued, as a missed delivery does in HubSpot — the receiver's
 * catch-up sweep on hs_lastmodifieddate is what covers that.
 */
export function createWebhookDispatcher(): WebhookDispatcher {
  let settings: WebhookSettings | undefined;
  let queue: WebhookEvent[] = [];
  let timer: NodeJS.Timeout | undefined;
  let inFlight = 0;
  let closed = false;
  let nextEventId = randomInt(1_000_000, 2_000_000_000);
  const waiters: Array<() => void> = [];
  const stats = { delivered: 0, attempts: 0, failures: 0, givenUp: 0 };

  const settle = () => {
    if (queue.length === 0 && inFlight === 0) for (const w of waiters.splice(0)) w();
  };

  const send = async (batch: WebhookEvent[]) => {
    const s = settings!;
    const maxAttempts = s.maxAttempts ?? 10;
    for (let attempt = 0; attempt < maxAttempts && !closed; attempt++) {
      const body = JSON.stringify(batch.map((e) => ({ ...e, attemptNumber: attempt })));
      const timestamp = String(Date.now());
      const signature = signWebhookV3(s.clientSecret, 'POST', s.targetUrl, body, timestamp);
      stats.attempts++;
      try {
        const response = await request(s.targetUrl, {
          method: 'POST', body,
          headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': timestamp, 'user-agent': 'HubSpot Webhooks' },
          headersTimeout: 5_000, bodyTimeout: 5_000,
        });
        await response.body.dump();
        if (response.statusCode >= 200 && response.statusCode < 300) {
          stats.delivered += batch.length;
          return;
        }
      } catch { /* network error: retried like a non-2xx */ }
      stats.failures++;
      await new Promise((r) => setTimeout(r, Math.min((s.retryBaseMs ?? 200) * 2 ** attempt, 30_000)));
    }
    stats.givenUp += batch.length;
  };

  const flush = () => {
    timer = undefined;
    if (!settings || closed) return;
    while (queue.length > 0) {
      const batch = queue.slice(0, 100);
      queue = queue.slice(100);
      inFlight++;
      void send(batch).finally(() => {
        inFlight--;
        settle();
      });
    }
    settle();
  };

  return {
    configure(next) {
      settings = next;
    },
    emit(events) {
      if (!settings || closed) return;
      const s = settings;
      for (const e of events) {
        queue.push({
          eventId: nextEventId++, subscriptionId: SUBSCRIPTION_IDS[e.subscriptionType], portalId: s.portalId ?? 62515, appId: s.appId ?? 1,
          attemptNumber: 0, changeSource: e.changeSource ?? 'CRM_UI', ...e,
        } as WebhookEvent);
      }
      if (!timer) timer = setTimeout(flush, s.batchMs ?? 100);
    },
    drain() {
      if (queue.length === 0 && inFlight === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    stats: () => ({ ...stats, queued: queue.length + inFlight }),
    async close() {
      closed = true;
      if (timer) clearTimeout(timer);
      for (const w of waiters.splice(0)) w();
    },
  };
}
