import { describe, expect, it } from 'vitest';
import { loadRegistryConfig, parseTokenList } from './config.js';

describe('registry configuration', () => {
  it('defaults to port 4020 on 127.0.0.1 with a 30-day usage window, and falls back to DATABASE_URL', () => {
    expect(loadRegistryConfig({ DATABASE_URL: 'postgres://db/x' })).toEqual({
      databaseUrl: 'postgres://db/x', port: 4020, host: '127.0.0.1', bootstrapTokens: [], usageRetentionDays: 30,
    });
    expect(loadRegistryConfig({ DATABASE_URL: 'postgres://db/x', REGISTRY_DATABASE_URL: 'postgres://reg/y' }).databaseUrl).toBe('postgres://reg/y');
  });

  it('reads tokens as scope:team:token and names the bad key', () => {
    expect(parseTokenList('admin::a:b, publish:erp-team:t2')).toEqual([
      { scope: 'admin', team: undefined, token: 'a:b', label: 'admin' },
      { scope: 'publish', team: 'erp-team', token: 't2', label: 'erp-team publish' },
    ]);
    expect(() => parseTokenList('publish::t')).toThrow(/REGISTRY_TOKENS/);
    expect(() => loadRegistryConfig({ REGISTRY_PORT: 'x' })).toThrow(/REGISTRY_PORT/);
  });
});
