import { createPool } from '../platform/db/index.js';
import { migrateMdm } from '../mdm/load/initialLoad.js';
import http from 'node:http';
import { loadEventsConfig } from './config.js';
import { pipelineMetrics } from './metrics.js';
import { startEventPipeline } from './pipeline.js';

/**
 * The event pipeline as its own process (docker-compose's `events` service,
 * the fault tests): DATABASE_URL is the MDM store (and the ERP unless
 * ERP_DATABASE_URL), NATS_URL the broker, CDC_ROLE which half runs here.
 * With CDC_HTTP_PORT it serves GET /metrics (Prometheus) and GET /ready (the
 * pipeline's health: 200 or 503 with the reasons). Prints "events ready" once
 * it consumes and captures; stops on SIGTERM/SIGINT.
 */
const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  console.error('events: DATABASE_URL is required (the MDM store)');
  process.exit(2);
}
const config = loadEventsConfig();
const pool = createPool({ connectionString: databaseUrl, applicationName: `concord-events-${config.role}` });
const erpUrl = config.erpDatabaseUrl ?? databaseUrl;
const erpPool = config.erpDatabaseUrl ? createPool({ connectionString: config.erpDatabaseUrl, applicationName: 'concord-events-erp' }) : pool;
await migrateMdm(pool);
const pipeline = await startEventPipeline({ pool, erpPool, erpConnectionString: erpUrl, config, log: (line) => console.log(line) });
let httpServer: http.Server | undefined;
const httpPort = process.env.CDC_HTTP_PORT ? Number(process.env.CDC_HTTP_PORT) : undefined;
if (httpPort !== undefined) {
  const registry = pipelineMetrics(() => pipeline.status());
  httpServer = http.createServer(async (request, response) => {
    try {
      if (request.url === '/metrics') {
        response.writeHead(200, { 'content-type': registry.contentType });
        response.end(await registry.metrics());
      } else if (request.url === '/ready' || request.url === '/health') {
        const health = await pipeline.health();
        response.writeHead(health.healthy ? 200 : 503, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: health.healthy ? 'ready' : 'degraded', reasons: health.reasons }));
      } else {
        response.writeHead(404).end();
      }
    } catch (error) {
      response.writeHead(500).end((error as Error).message);
    }
  });
  await new Promise<void>((resolve) => httpServer!.listen(httpPort, process.env.HOST ?? '127.0.0.1', () => resolve()));
}
console.log(`events ready (role ${config.role})`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  httpServer?.close();
  await pipeline.stop();
  if (erpPool !== pool) await erpPool.end();
  await pool.end();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
