import { parseArgs } from 'node:util';
import { loadGatewayConfig } from './config.js';
import { startGateway } from './server.js';
import { followRegistry, loadRegistryFollowConfig } from './usage/followRegistry.js';
import { natsGoldenChangeFeed } from '../platform/events/natsGoldenChangeFeed.js';
import { followRegistryTrustedDocuments } from './persisted/registryTrustedDocuments.js';
import { readConsoleBundle } from './console/readBundle.js';

/**
 * Run the gateway as its own process (docker-compose, `tsx gateway/main.ts`).
 * Configuration from the environment (see loadGatewayConfig); `--supergraph
 * path` serves a composed supergraph file instead of composing at start, and
 * reloads it when the file changes. With CONCORD_REGISTRY_URL and a gateway
 * CONCORD_REGISTRY_TOKEN it follows the schema registry instead (ADR 0005)
 * and reports operation usage to it. With NATS_URL it follows golden-record
 * change events on concord.golden.> (the entity cache is then on by default).
 * With GATEWAY_CONSOLE_DIR it serves the console's prebuilt bundle at /console.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { supergraph: { type: 'string' } }, strict: true });
  const config = loadGatewayConfig(process.env);
  if (values.supergraph) config.supergraphPath = values.supergraph;
  const registryConfig = loadRegistryFollowConfig(process.env);
  const registry = registryConfig && followRegistry(registryConfig);
  if (registry) {
    config.supergraphSource = registry.supergraphSource;
    config.plugins = [...(config.plugins ?? []), ...registry.plugins];
  }
  const natsUrl = process.env.NATS_URL || undefined;
  const changeFeed = natsUrl
    ? await natsGoldenChangeFeed({ servers: natsUrl, name: 'concord-gateway', onInvalid: (reason) => console.warn(`[golden changes] skipped: ${reason}`) })
    : undefined;
  const consoleBundle = config.consoleDir ? await readConsoleBundle(config.consoleDir) : undefined;
  const gateway = await startGateway(config, { changeFeed, console: consoleBundle });
  const documents = registryConfig
    ? followRegistryTrustedDocuments({
      registryUrl: registryConfig.registryUrl, token: registryConfig.token, trusted: gateway.trustedDocuments,
      pollIntervalMs: registryConfig.pollIntervalMs, onError: (error) => console.warn(`[registry] ${error.message}`),
    })
    : undefined;
  console.log(`Concord gateway: ${gateway.url} (GraphiQL in a browser, ${consoleBundle ? '/console, ' : ''}/health, /metrics)${registryConfig ? `, following the registry at ${registryConfig.registryUrl}` : ''}`);
  const stop = (signal: string) => {
    console.log(`${signal}: closing the gateway`);
    documents?.stop();
    gateway.close().then(() => registry?.stop()).then(() => changeFeed?.close()).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
