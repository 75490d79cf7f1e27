import { createLogger } from '../../platform/logging/index.js';
import { loadErpSubgraphConfig } from './config.js';
import { startErpSubgraph } from './server.js';

/** Runs the ERP subgraph as a process of its own (docker-compose): config from the environment. */
const config = loadErpSubgraphConfig(process.env);
const logger = createLogger({ name: 'concord-erp-subgraph' });
const subgraph = await startErpSubgraph({ ...config, logger });
console.log(`ERP subgraph at ${subgraph.url} (Odoo schema "${config.schema}")`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void subgraph.close().then(() => process.exit(0));
  });
}
