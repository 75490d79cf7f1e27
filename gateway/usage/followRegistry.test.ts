import { describe, expect, it } from 'vitest';
import { loadRegistryFollowConfig } from './followRegistry.js';

describe('following the registry from the environment', () => {
  it('is off without CONCORD_REGISTRY_URL, and defaults to a 25 s long-poll and 5 s usage flushes', () => {
    expect(loadRegistryFollowConfig({})).toBeUndefined();
    expect(loadRegistryFollowConfig({ CONCORD_REGISTRY_URL: 'http://registry:4020', CONCORD_REGISTRY_TOKEN: 'gw' })).toEqual({
      registryUrl: 'http://registry:4020', token: 'gw', longPollMs: 25_000, pollIntervalMs: 1_000, usageFlushMs: 5_000,
    });
  });

  it('names the missing token or the bad value', () => {
    expect(() => loadRegistryFollowConfig({ CONCORD_REGISTRY_URL: 'http://registry:4020' })).toThrow(/CONCORD_REGISTRY_TOKEN/);
    expect(() => loadRegistryFollowConfig({ CONCORD_REGISTRY_URL: 'http://r', CONCORD_REGISTRY_TOKEN: 'gw', REGISTRY_LONG_POLL_MS: '90000' })).toThrow(/REGISTRY_LONG_POLL_MS/);
  });
});
