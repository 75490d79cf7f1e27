import { createLogger } from '../../platform/logging/index.js';
import { loadMdmSubgraphConfig } from './config.js';
import { startMdmSubgraph } from './server.js';

/** Runs the MDM subgraph as a process of its own (docker-compose): config from the environment. */
const config = loadMdmSubgraphConfig(process.env);
const logger = createLogger({ name: 'concord-mdm-subgraph' });
const subgraph = await startMdmSubgraph({ ...config, logger });
console.log(`MDM subgraph at ${subgraph.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void subgraph.close().then(() => process.exit(0));
  });
}
