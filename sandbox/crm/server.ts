import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPool, migrate } from '../../platform/db/index.js';
import { authenticate } from './auth.js';
import { CrmApiError } from './errors.js';
import { sendJson } from './http.js';
import { SlidingWindowLimiter, type RateLimitDecision, type RateLimitOptions } from './rateLimit.js';
import { routeRequest, type RouteContext } from './routes/index.js';
import { CrmStore } from './store.js';
import { createWebhookDispatcher, type WebhookDispatcher, type WebhookSettings } from './webhooks.js';

export interface CrmSandboxConfig {
  /** PostgreSQL holding the `crm` schema (created by the sandbox's migration on start). */
  databaseUrl: string;
  /** @default 0 (any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Accepted private-app bearer tokens. At least one. */
  tokens: string[];
  /** Per-token rolling window; null or undefined = no limit. @default null */
  rateLimit?: RateLimitOptions | null;
  /** Webhook subscriptions for company changes (HubSpot's app settings); also set later with configureWebhooks. */
  webhooks?: WebhookSettings;
  /**
   * How many of the latest requests `requests` keeps: the log is for tests,
   * and a stand-in serving `npm start` for days must not grow without end.
   * @default 10000
   */
  requestLogLimit?: number;
}

/** One request as the sandbox saw it: what a test asserts the backend received. */
export interface CrmRequestLogEntry {
  method: string;
  /** The URL path without the query string. */
  path: string;
  /** How many `inputs` a batch request carried. */
  inputs?: number;
  status: number;
}

export interface CrmSandbox {
  /** Base URL, e.g. http://127.0.0.1:4010 — the HubSpot API root to point a client at. */
  url: string;
  /** The requests received since start or the last reset, in arrival order: the latest `requestLogLimit` of them at most. */
  requests: CrmRequestLogEntry[];
  /** How many requests it served since start or the last reset, however many the log still holds. */
  readonly requestsServed: number;
  resetRequestLog(): void;
  /** Points the company webhooks at an app (HubSpot: the app's webhook settings); undefined stops them. */
  configureWebhooks(settings: WebhookSettings | undefined): void;
  webhooks: WebhookDispatcher;
  close(): Promise<void>;
}

const migrationsDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Names HubSpot gives the window in a 429 (`policyName`), by the window's length. */
function policyName(perMs: number): string {
  if (perMs <= 1_000) return 'SECONDLY';
  if (perMs >= 86_400_000) return 'DAILY';
  return 'TEN_SECONDLY_ROLLING';
}

/** HubSpot's rate-limit headers, sent on every answer while a limit is configured. */
function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  return {
    'x-hubspot-ratelimit-max': String(decision.limit),
    'x-hubspot-ratelimit-remaining': String(decision.remaining),
    'x-hubspot-ratelimit-interval-milliseconds': String(decision.intervalMs),
  };
}

function rateLimited(decision: Extract<RateLimitDecision, { allowed: false }>): CrmApiError {
  const policy = policyName(decision.intervalMs);
  const retryAfterSeconds = Math.max(1, Math.ceil(decision.retryAfterMs / 1000));
  return new CrmApiError(
    429,
    'RATE_LIMITS',
    `You have reached your ${policy.toLowerCase()} limit.`,
    { policyName: policy, errorType: 'RATE_LIMIT' },
    { 'retry-after': String(retryAfterSeconds), ...rateLimitHeaders(decision) },
  );
}

/**
 * Starts the HubSpot-compatible CRM stand-in: applies its migration, then
 * serves HubSpot's CRM v3 object reads and search and the v4 association
 * batch read over plain node:http, behind bearer-token auth and an optional
 * per-token rate limit.
 */
export async function startCrmSandbox(config: CrmSandboxConfig): Promise<CrmSandbox> {
  if (!config.databaseUrl) throw new Error('startCrmSandbox: databaseUrl is required');
  if (!Array.isArray(config.tokens) || config.tokens.length === 0 || config.tokens.some((t) => typeof t !== 'string' || t === '')) {
    throw new Error('startCrmSandbox: tokens must list at least one non-empty bearer token');
  }
  const requestLogLimit = config.requestLogLimit ?? 10_000;
  if (!Number.isInteger(requestLogLimit) || requestLogLimit < 1) throw new Error(`startCrmSandbox: requestLogLimit must be a whole number ≥ 1, got ${requestLogLimit}`);
  const tokens = new Set(config.tokens);
  const limiter = config.rateLimit ? new SlidingWindowLimiter(config.rateLimit) : undefined;

  const pool = createPool({ connectionString: config.databaseUrl, applicationName: 'concord-crm-sandbox' });
  try {
    await migrate(pool, { set: 'crm', dir: migrationsDir, schema: 'crm' });
  } catch (error) {
    await pool.end();
    throw error;
  }
  const store = new CrmStore(pool);
  const webhooks = createWebhookDispatcher();
  webhooks.configure(config.webhooks);
  const requests: CrmRequestLogEntry[] = [];
  let requestsServed = 0;
  // Trimmed a tenth at a time, so a full log costs one array move per requestLogLimit / 10 requests.
  const trimBy = Math.max(1, Math.floor(requestLogLimit / 10));

  const server = http.createServer(async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const correlationId = randomUUID();
    const context: RouteContext = {
      request,
      url,
      origin: `http://${request.headers.host ?? 'localhost'}`,
      store,
      webhooks,
    };
    let status = 500;
    let headers: Record<string, string> = { 'x-hubspot-correlation-id': correlationId };
    try {
      // Not part of HubSpot's API: a liveness probe for docker-compose, open like a load balancer's.
      if (url.pathname === '/health' && request.method === 'GET') {
        status = 200;
        sendJson(response, status, { status: 'ok' }, headers);
        return;
      }
      const token = authenticate(request, tokens);
      if (limiter) {
        const decision = limiter.take(token);
        if (!decision.allowed) throw rateLimited(decision);
        headers = { ...headers, ...rateLimitHeaders(decision) };
      }
      const result = await routeRequest(context);
      status = result.status;
      if (result.body === undefined) {
        response.writeHead(status, headers);
        response.end();
      } else {
        sendJson(response, status, result.body, headers);
      }
    } catch (error) {
      const apiError =
        error instanceof CrmApiError ? error : new CrmApiError(500, 'INTERNAL_ERROR', 'internal error');
      if (!(error instanceof CrmApiError)) {
        console.error(`[crm-sandbox] ${request.method} ${url.pathname} failed (correlationId ${correlationId}):`, error);
      }
      status = apiError.status;
      if (!request.complete) request.resume(); // an unread body must not stall the answer
      sendJson(response, status, apiError.toBody(correlationId), { ...headers, ...apiError.headers });
    } finally {
      const entry: CrmRequestLogEntry = { method: request.method ?? 'GET', path: url.pathname, status };
      if (context.inputs !== undefined) entry.inputs = context.inputs;
      if (requests.length >= requestLogLimit) requests.splice(0, trimBy);
      requests.push(entry);
      requestsServed++;
    }
  });

  const host = config.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  }).catch(async (error) => {
    await pool.end();
    throw error;
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    requests,
    get requestsServed() {
      return requestsServed;
    },
    resetRequestLog() {
      requests.length = 0;
      requestsServed = 0;
    },
    configureWebhooks(settings) {
      webhooks.configure(settings);
    },
    webhooks,
    async close() {
      await webhooks.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await pool.end();
    },
  };
}
