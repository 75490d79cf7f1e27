import {
  ConfigError, createSourceGuard, DEFAULT_SOURCE_RESILIENCE, HttpClientError, ServiceMetrics, startServiceTracing, startSubgraphServer, TRACING_OFF,
  type HttpCircuitBreakerOptions, type RunningSubgraph, type SourceGuardLogger, type SourceRequestListener,
} from '../../platform/index.js';
import { resolveGatewayProofKey, type GatewayProofKey, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import { readCrmRateBudget, type CrmRateBudgetConfig, type CrmSubgraphConfig } from './config.js';
import { deadlineOrdered } from './deadlineOrderedBudget.js';
import { createMemoryRateBudget, RateBudgetRefusal, type RateBudget } from './rateBudget.js';
import { createRedisRateBudget } from './redisRateBudget.js';
import type { CrmLogger } from './fieldErrors.js';
import { createHubSpotClient } from './hubspotClient.js';
import { buildCrmSchema, createCrmContext } from './schema.js';

/** {@link CrmSubgraphConfig}, with everything but where to listen and which CRM optional (defaults as in the config). */
export interface CrmSubgraphOptions extends Pick<CrmSubgraphConfig, 'port' | 'host' | 'baseUrl' | 'token'> {
  /**
   * The key the gateway's proof is checked with (a key, e.g. the in-process
   * stack's generated secret, or settings from the environment). Every
   * /graphql request without a valid proof gets 401.
   */
  gatewayProof: GatewayProofKey | GatewayProofSettings;
  /** @default 10000 */
  timeoutMs?: number;
  /** @default 3 */
  maxAttempts?: number;
  /** @default 5000 */
  maxRetryAfterMs?: number;
  /** First retry backoff in ms after a connection error or 5xx. @default 100 */
  retryInitialDelayMs?: number;
  circuitBreaker?: HttpCircuitBreakerOptions | false;
  /** @default false */
  production?: boolean;
  /** Told of every HTTP call to the CRM (tests count them). */
  onSourceRequest?: SourceRequestListener;
  /** Where failed CRM calls are logged, upstream body included. @default none */
  logger?: CrmLogger;
  /** Spans for its requests and CRM calls, exported as configured. @default off */
  tracing?: CrmSubgraphConfig['tracing'];
  /** The CRM's breaker and bulkhead (a given `circuitBreaker` overrides the breaker's numbers). @default CRM_* defaults */
  resilience?: CrmSubgraphConfig['resilience'];
  /** In-flight cap, default budget, readiness timeout. @default SUBGRAPH_* defaults */
  serving?: CrmSubgraphConfig['serving'];
  /** The CRM app's rate budget. @default none (as readCrmRateBudget({}): the stand-in limits nothing) */
  rateBudget?: CrmRateBudgetConfig;
}

/**
 * The budget chosen by the config: none (burst 0), in Redis when a URL is set,
 * else in memory; its slots handed out earliest request deadline first.
 */
function createCrmRateBudget(config: CrmRateBudgetConfig): RateBudget | undefined {
  if (config.burst === 0) return undefined;
  const limits = { burst: config.burst, windowMs: config.windowMs, daily: config.daily, marginMs: config.marginMs };
  return deadlineOrdered(config.redisUrl ? createRedisRateBudget(limits, { url: config.redisUrl, key: config.key }) : createMemoryRateBudget(limits));
}

/**
 * Time kept back from a call's wait for a rate-budget slot for the call itself
 * (a HubSpot batch read answers in about 100–300 ms): a slot taken at the
 * very end of the request's budget is spent on an answer nobody waits for.
 */
const CALL_RESERVE_MS = 200;

/**
 * Starts the CRM subgraph: its own keep-alive HTTP client to the CRM (closed
 * with the server), the schema, and GET /health answering with a cheap
 * authenticated CRM read, so a wrong token shows there too.
 */
export async function startCrmSubgraph(options: CrmSubgraphOptions): Promise<RunningSubgraph> {
  if (!options.token) throw new ConfigError('CRM_TOKEN', 'a HubSpot private-app access token', options.token);
  const gatewayProofKey = await resolveGatewayProofKey(options.gatewayProof, 'verifier');
  const tracing = startServiceTracing(options.tracing ?? TRACING_OFF);
  const metrics = new ServiceMetrics('subgraph-crm', { defaultMetrics: true });
  const resilience = options.resilience ?? DEFAULT_SOURCE_RESILIENCE;
  const guard = options.circuitBreaker === false ? undefined : createSourceGuard({
    source: 'crm',
    consecutiveFailures: options.circuitBreaker?.consecutiveFailures ?? resilience.breakerFailures,
    halfOpenAfterMs: options.circuitBreaker?.halfOpenAfterMs ?? resilience.breakerHalfOpenMs,
    maxConcurrent: resilience.maxConcurrent,
    maxQueued: resilience.maxQueued,
    isOutage: (error) => error instanceof HttpClientError && error.code === 'UNAVAILABLE',
    outcomeOf: (error) => (error instanceof HttpClientError && error.code === 'RATE_LIMITED' ? 'rate_limited'
      : error instanceof HttpClientError && error.causeCode === 'TimeoutError' ? 'timeout' : 'error'),
    metrics,
    logger: options.logger as SourceGuardLogger | undefined,
  });
  const budget = createCrmRateBudget(options.rateBudget ?? readCrmRateBudget({}));
  const client = createHubSpotClient({
    baseUrl: options.baseUrl,
    token: options.token,
    timeoutMs: options.timeoutMs,
    retry: {
      maxAttempts: options.maxAttempts,
      maxRetryAfterMs: options.maxRetryAfterMs,
      initialDelayMs: options.retryInitialDelayMs,
    },
    circuitBreaker: options.circuitBreaker,
    guard,
    beforeAttempt: budget && (async (maxWaitMs, signal) => {
      const started = performance.now();
      metrics.rateBudgetWaiting.labels('crm').inc();
      try {
        await budget.acquire(Math.max(0, maxWaitMs - CALL_RESERVE_MS), signal);
        metrics.rateBudgetWait.labels('crm').observe((performance.now() - started) / 1000);
      } catch (error) {
        if (!(error instanceof RateBudgetRefusal)) throw error;
        metrics.rateBudgetRefused.labels('crm', error.reason).inc();
        throw new HttpClientError('RATE_LIMITED', `CRM call not sent: ${error.message}`, {
          method: 'POST', path: '(rate budget)', retryAfterMs: error.retryAfterMs, retryable: false, cause: `BUDGET_${error.reason.toUpperCase()}`,
        });
      } finally {
        metrics.rateBudgetWaiting.labels('crm').dec();
      }
    }),
    onRateLimited: budget && ((retryAfterMs) => void budget.pause(retryAfterMs ?? 1_000).catch(() => {})),
    onSourceRequest: options.onSourceRequest,
    tracer: tracing?.tracer,
  });
  try {
    return await startSubgraphServer({
      name: 'crm',
      schema: buildCrmSchema({ logger: options.logger }),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      gatewayProofKey,
      metrics,
      ...options.serving,
      createContext: () => createCrmContext({ client }),
      checkHealth: () => client.ping(),
      onClose: async () => {
        await client.close();
        await budget?.close();
      },
      tracing,
    });
  } catch (error) {
    await client.close();
    await tracing?.shutdown();
    throw error;
  }
}
