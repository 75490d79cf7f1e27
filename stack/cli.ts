import type { Command } from 'commander';
import type { TracingConfig } from '../platform/config.js';
import { loadStackConfig } from './config.js';
import { startStack, type StackRegistry } from './startStack.js';

/** `concord start`: the whole system on one command (what `npm start` runs). */
export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('run the sandbox source systems, the subgraphs and the gateway (embedded PostgreSQL unless DATABASE_URL is set)')
    .action(async () => {
      const config = loadStackConfig(process.env);
      const started = Date.now();
      const log = (line: string) => console.log(`[concord] ${line}`);
      const stack = await startStack({ ...config, log });
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`
Concord is up in ${seconds} s.

  GraphiQL:  ${stack.gatewayUrl.replace('127.0.0.1', 'localhost')}
  Console:   ${stack.gatewayUrl.replace('127.0.0.1', 'localhost').replace(/\/graphql$/, '/console')} (reconciliation, data quality, steward workspace)
  Health:    ${stack.gatewayUrl.replace(/\/graphql$/, '/health')}
  Database:  ${config.databaseUrl ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite at ${stack.databaseUrl}`}
${tracesLine(config.tracing.gateway)}
Demo tokens:  npx concord token --user demo-analyst
${registryLines(stack.registry)}Try:          the customer 360 query in README.md (customer of "Globex Corporation")
Stop:         Ctrl+C
`);
      let stopping = false;
      const shutdown = async (signal: string) => {
        if (stopping) return;
        stopping = true;
        log(`${signal}: stopping`);
        await stack.stop();
        process.exit(0);
      };
      process.on('SIGINT', () => void shutdown('SIGINT'));
      process.on('SIGTERM', () => void shutdown('SIGTERM'));
    });
}

/** The banner's registry part: where it is, where its tokens are, and the publish command. */
function registryLines(registry: StackRegistry | undefined): string {
  if (!registry) return 'Registry:     off (CONCORD_REGISTRY=false): the gateway composed erp, crm and mdm at start\n';
  const tokens = registry.tokensFile
    ? `${registry.tokensFile} (mode 0600: admin, gateway and one publish token per team: ${Object.keys(registry.tokens.teams).join(', ')})`
    : 'not written (CONCORD_REGISTRY_TOKENS_FILE=none); the admin token is in REGISTRY_TOKENS or was generated';
  return `Registry:     ${registry.url.replace('127.0.0.1', 'localhost')} — the gateway follows it (a publish serves within a second)
Registry tokens: ${tokens}
Publish:      CONCORD_REGISTRY_URL=${registry.url} CONCORD_REGISTRY_TOKEN=<team token> npx concord schema publish --subgraph <name> --schema <file> --routing-url <url>
              (see docs/publishing-a-subgraph.md)
`;
}

/** The banner's traces line, only when OTEL_* turned tracing on (the operator should see where spans go). */
function tracesLine(tracing: TracingConfig): string {
  if (!tracing.enabled) return '';
  return `  Traces:    ${tracing.exporter === 'otlp' ? `OTLP/HTTP to ${tracing.endpoint}` : 'printed to stdout'} (gateway and subgraphs)\n`;
}
