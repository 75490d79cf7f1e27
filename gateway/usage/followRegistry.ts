import { readInt, readString, readUrl } from '../../platform/config.js';
import { registrySupergraphSource } from '../../schema/client/supergraphSource.js';
import { createUsageReporter, type UsageReporter } from '../../schema/client/usage.js';
import type { GatewayPlugin } from '../plugins.js';
import type { SupergraphSource } from '../supergraph/source.js';
import { usageReportingPlugin } from './usagePlugin.js';

/**
 * How a gateway running as its own process (docker-compose, replicas behind a
 * load balancer) follows the schema registry, from the environment:
 *
 * | variable | default |
 * | --- | --- |
 * | CONCORD_REGISTRY_URL | unset: no registry (compose at start or SUPERGRAPH_PATH) |
 * | CONCORD_REGISTRY_TOKEN | required with the URL: a gateway-scope token |
 * | REGISTRY_LONG_POLL_MS | 25000 (0: plain polling) |
 * | REGISTRY_POLL_INTERVAL_MS | 1000 |
 * | REGISTRY_USAGE_FLUSH_MS | 5000 |
 */
export interface RegistryFollowConfig {
  registryUrl: string;
  token: string;
  longPollMs: number;
  pollIntervalMs: number;
  usageFlushMs: number;
}

export function loadRegistryFollowConfig(env: Record<string, string | undefined>): RegistryFollowConfig | undefined {
  const registryUrl = readUrl(env, 'CONCORD_REGISTRY_URL');
  if (!registryUrl) return undefined;
  const token = readString(env, 'CONCORD_REGISTRY_TOKEN');
  if (!token) throw new Error('CONCORD_REGISTRY_TOKEN: expected the gateway token of the registry at CONCORD_REGISTRY_URL');
  return {
    registryUrl,
    token,
    longPollMs: readInt(env, 'REGISTRY_LONG_POLL_MS', 25_000, { min: 0, max: 30_000 }),
    pollIntervalMs: readInt(env, 'REGISTRY_POLL_INTERVAL_MS', 1_000, { min: 50, max: 60_000 }),
    usageFlushMs: readInt(env, 'REGISTRY_USAGE_FLUSH_MS', 5_000, { min: 50, max: 600_000 }),
  };
}

/**
 * The two halves of following the registry: the supergraph source (ADR 0005:
 * long-poll or poll `GET /supergraph`) and the plugin that records operation
 * usage and reports it with the same token. `stop` sends the last usage.
 */
export function followRegistry(
  config: RegistryFollowConfig,
  onError: (error: Error) => void = (error) => console.warn(`[registry] ${error.message}`),
): { supergraphSource: SupergraphSource; plugins: GatewayPlugin[]; reporter: UsageReporter; stop(): Promise<void> } {
  const reporter = createUsageReporter({ registryUrl: config.registryUrl, token: config.token, flushIntervalMs: config.usageFlushMs, onError });
  return {
    supergraphSource: registrySupergraphSource({
      registryUrl: config.registryUrl, token: config.token, longPollMs: config.longPollMs, pollIntervalMs: config.pollIntervalMs, onError,
    }),
    plugins: [usageReportingPlugin(reporter)],
    reporter,
    stop: () => reporter.stop(),
  };
}
