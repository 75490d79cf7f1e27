/**
 * One gateway under test, as its own process (so bench/gateway.ts can pin it
 * to a core and read its RSS alone). Not for production use.
 *
 *   node --import tsx bench/gatewayProcess.ts concord|apollo --supergraph FILE --port N
 *
 * - `concord`: Concord's startGateway on the file, with no user auth and one
 *   plugin that adds the static gateway proof (BENCH_GATEWAY_PROOF) to
 *   subgraph calls — the same conditions the peers get.
 * - `apollo`: the stock @apollo/gateway behind @apollo/server's
 *   startStandaloneServer, default RemoteGraphQLDataSource, the proof added in
 *   its willSendRequest.
 *
 * SUBGRAPH_DEDUPE=false turns Concord's sharing of identical in-flight
 * subgraph calls off (the stock gateway's terms). The entity cache (golden
 * records, ADR 0014) is on, in memory; ENTITY_CACHE=off turns it off.
 *
 * Prints `READY <url>` once it serves.
 */
import { appendFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import { parseArgs } from 'node:util';
import { ApolloGateway, RemoteGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { startStandaloneServer } from '@apollo/server/standalone';
import { startGateway } from '../gateway/server.js';
import type { GatewayPlugin } from '../gateway/plugins.js';
import { GATEWAY_PROOF_HEADER } from '../platform/auth/gatewayProof.js';

const HOST = '127.0.0.1';

async function startConcord(supergraphPath: string, port: number, proof: string | undefined): Promise<{ url: string; close(): Promise<void> }> {
  const plugins: GatewayPlugin[] = proof
    ? [{ name: 'bench-static-proof', willSendRequest: ({ request }) => void (request.headers[GATEWAY_PROOF_HEADER] = proof) }]
    : [];
  return startGateway({
    host: HOST,
    port,
    subgraphs: [],
    supergraphPath,
    watchSupergraphFile: false,
    production: true,
    plugins,
    // SUBGRAPH_DEDUPE=false: the same gateway without sharing identical in-flight subgraph calls.
    dedupeSubgraphRequests: process.env.SUBGRAPH_DEDUPE !== 'false',
    // SUBGRAPH_ENTITY_BATCH_IN_FLIGHT=0: without merging concurrent entity fetches; _MAX_WAIT_MS: its bound on waiting (the gateway's defaults otherwise).
    ...(process.env.SUBGRAPH_ENTITY_BATCH_IN_FLIGHT ? { entityBatchInFlight: Number(process.env.SUBGRAPH_ENTITY_BATCH_IN_FLIGHT) } : {}),
    ...(process.env.SUBGRAPH_ENTITY_BATCH_MAX_WAIT_MS ? { entityBatchMaxWaitMs: Number(process.env.SUBGRAPH_ENTITY_BATCH_MAX_WAIT_MS) } : {}),
    // SUBGRAPH_ENTITY_BATCH_LINGER_MS=0: merging without the linger (ADR 0021).
    ...(process.env.SUBGRAPH_ENTITY_BATCH_LINGER_MS ? { entityBatchLingerMs: Number(process.env.SUBGRAPH_ENTITY_BATCH_LINGER_MS) } : {}),
    // The bench has no change pipeline: the cache runs on its TTL (ENTITY_CACHE=off measures without it).
    entityCache: { store: process.env.ENTITY_CACHE === 'off' ? 'off' : 'memory' },
    logLevel: 'error',
  });
}

async function startStockApollo(supergraphPath: string, port: number, proof: string | undefined): Promise<{ url: string; close(): Promise<void> }> {
  const gateway = new ApolloGateway({
    supergraphSdl: await readFile(supergraphPath, 'utf8'),
    buildService: ({ url }) =>
      new RemoteGraphQLDataSource({
        url,
        willSendRequest({ request }) {
          if (proof) request.http?.headers.set(GATEWAY_PROOF_HEADER, proof);
        },
      }),
  });
  const server = new ApolloServer({ gateway });
  const { url } = await startStandaloneServer(server, { listen: { port, host: HOST } });
  return { url: new URL('/graphql', url).href, close: () => server.stop() };
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { supergraph: { type: 'string' }, port: { type: 'string' } },
  });
  const kind = positionals[0];
  if (!values.supergraph || !values.port || (kind !== 'concord' && kind !== 'apollo')) {
    throw new Error('usage: gatewayProcess.ts concord|apollo --supergraph FILE --port N');
  }
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const proof = process.env.BENCH_GATEWAY_PROOF || undefined;
  const port = Number(values.port);
  const running = kind === 'concord' ? await startConcord(values.supergraph, port, proof) : await startStockApollo(values.supergraph, port, proof);
  console.log(`READY ${running.url}`);
  // BENCH_MEMORY_LOG=FILE: one JSON line per 500 ms with RSS and V8's heap spaces, to see where peak RSS goes.
  const memoryLog = process.env.BENCH_MEMORY_LOG;
  if (memoryLog) {
    setInterval(() => {
      const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]));
      appendFileSync(memoryLog, `${JSON.stringify({ t: Date.now(), ...process.memoryUsage(), spaces })}\n`);
    }, 500).unref();
  }
  const stop = () => void running.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
