import { createLogger } from '../../platform/logging/index.js';
import { loadCrmSubgraphConfig } from './config.js';
import { startCrmSubgraph } from './server.js';

/** Runs the CRM subgraph as a process of its own (docker-compose): config from the environment. */
const config = loadCrmSubgraphConfig(process.env);
const logger = createLogger({ name: 'concord-crm-subgraph' });
const subgraph = await startCrmSubgraph({ ...config, logger });
logger.info(`CRM subgraph at ${subgraph.url} (CRM API ${config.baseUrl})`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void subgraph.close().then(() => process.exit(0));
  });
}
