import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';
import { loadRegistryConfig } from './config.js';
import { startRegistry } from './server.js';

/**
 * Runs the schema registry as its own process (docker-compose, or
 * `tsx schema/registry/main.ts`). Without REGISTRY_DATABASE_URL / DATABASE_URL it
 * keeps its store in an embedded PGlite, like the rest of the embedded stack.
 */
async function main(): Promise<void> {
  const config = loadRegistryConfig(process.env);
  let embedded: EmbeddedPostgres | undefined;
  if (!config.databaseUrl) embedded = await startEmbeddedPostgres();
  const registry = await startRegistry({
    databaseUrl: config.databaseUrl ?? embedded!.connectionString,
    port: config.port,
    host: config.host,
    bootstrapTokens: config.bootstrapTokens,
    usageRetentionDays: config.usageRetentionDays,
  });
  console.log(`schema registry listening at ${registry.url}${embedded ? ' (embedded PGlite store)' : ''}`);
  if (!config.bootstrapTokens.length) console.log('no REGISTRY_TOKENS given: only tokens already stored will be accepted');
  const stop = async () => {
    await registry.close();
    await embedded?.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
