import { describe, expect, it } from 'vitest';
import { loadCrmSubgraphConfig } from './config.js';

describe('loadCrmSubgraphConfig', () => {
  it('defaults to the CRM stand-in and its token', () => {
    expect(loadCrmSubgraphConfig({})).toEqual({
      port: 4002, host: '127.0.0.1', baseUrl: 'http://127.0.0.1:4010', token: 'pat-concord-sandbox',
      timeoutMs: 10_000, maxAttempts: 3, maxRetryAfterMs: 5_000, production: false, gatewayProof: {}, tracing: { enabled: false },
      resilience: { breakerFailures: 5, breakerHalfOpenMs: 5_000, maxConcurrent: 32, maxQueued: 64 },
      serving: { maxInFlight: 256, defaultBudgetMs: 10_000, maxBudgetMs: 30_000, readyTimeoutMs: 1_000 },
      // The stand-in limits nothing by default, so neither does the budget.
      rateBudget: { burst: 0, windowMs: 10_000, daily: 250_000, marginMs: 100, redisUrl: undefined, key: 'default' },
    });
  });

  it('budgets a real HubSpot at its smallest private-app limits, shared through Redis when asked', () => {
    const real = { CRM_BASE_URL: 'https://api.hubapi.com', CRM_TOKEN: 'pat-na1-x' };
    expect(loadCrmSubgraphConfig(real).rateBudget).toMatchObject({ burst: 100, windowMs: 10_000, daily: 250_000 });
    expect(loadCrmSubgraphConfig({ ...real, CRM_RATE_BURST: '190', CRM_RATE_REDIS_URL: 'redis://127.0.0.1:6379', CRM_RATE_KEY: 'app-1' }).rateBudget)
      .toMatchObject({ burst: 190, redisUrl: 'redis://127.0.0.1:6379', key: 'app-1' });
    expect(() => loadCrmSubgraphConfig({ CRM_RATE_BURST: 'lots' })).toThrow(/CRM_RATE_BURST/);
  });

  it('reads the gateway proof secret docker-compose sets', () => {
    expect(loadCrmSubgraphConfig({ CONCORD_GATEWAY_PROOF_SECRET: 's'.repeat(32) }).gatewayProof).toEqual({ secret: 's'.repeat(32) });
  });

  it('requires CRM_TOKEN once CRM_BASE_URL points elsewhere', () => {
    expect(() => loadCrmSubgraphConfig({ CRM_BASE_URL: 'https://api.hubapi.com' })).toThrow('invalid configuration CRM_TOKEN: expected a value, got nothing');
    expect(loadCrmSubgraphConfig({ CRM_BASE_URL: 'https://api.hubapi.com', CRM_TOKEN: 'pat-na1-x' })).toMatchObject({ baseUrl: 'https://api.hubapi.com', token: 'pat-na1-x' });
  });

  it('names the bad key', () => {
    expect(() => loadCrmSubgraphConfig({ CRM_TIMEOUT_MS: 'soon' })).toThrow(/CRM_TIMEOUT_MS: expected an integer/);
    expect(() => loadCrmSubgraphConfig({ CRM_BASE_URL: 'hubspot' })).toThrow(/CRM_BASE_URL: expected an absolute URL/);
  });
});
