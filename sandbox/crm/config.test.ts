import { describe, expect, it } from 'vitest';
import { loadCrmSandboxConfig } from './config.js';

describe('loadCrmSandboxConfig', () => {
  it('defaults to port 4010, the demo token and no rate limit, reading DATABASE_URL', () => {
    expect(loadCrmSandboxConfig({ DATABASE_URL: 'postgres://db/app' })).toEqual({
      databaseUrl: 'postgres://db/app',
      port: 4010,
      host: '127.0.0.1',
      tokens: ['pat-concord-sandbox'],
      rateLimit: null,
    });
  });

  it('prefers CRM_SANDBOX_DATABASE_URL and reads tokens and a rate limit like "100/10s"', () => {
    const config = loadCrmSandboxConfig({
      DATABASE_URL: 'postgres://db/app',
      CRM_SANDBOX_DATABASE_URL: 'postgres://db/crm',
      CRM_SANDBOX_TOKENS: 'pat-a, pat-b',
      CRM_SANDBOX_RATE_LIMIT: '100/10s',
      CRM_SANDBOX_PORT: '0',
    });
    expect(config).toMatchObject({ databaseUrl: 'postgres://db/crm', port: 0, tokens: ['pat-a', 'pat-b'], rateLimit: { requests: 100, perMs: 10_000 } });
    expect(loadCrmSandboxConfig({ DATABASE_URL: 'postgres://x', CRM_SANDBOX_RATE_LIMIT: '5/s' }).rateLimit).toEqual({ requests: 5, perMs: 1_000 });
  });

  it('names the bad variable', () => {
    expect(() => loadCrmSandboxConfig({})).toThrow(/CRM_SANDBOX_DATABASE_URL/);
    expect(() => loadCrmSandboxConfig({ DATABASE_URL: 'postgres://x', CRM_SANDBOX_RATE_LIMIT: 'lots' })).toThrow(/CRM_SANDBOX_RATE_LIMIT: expected a limit like "100\/10s"/);
    expect(() => loadCrmSandboxConfig({ DATABASE_URL: 'postgres://x', CRM_SANDBOX_PORT: '70000' })).toThrow(/CRM_SANDBOX_PORT/);
  });
});
