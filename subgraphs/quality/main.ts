import { loadQualitySubgraphConfig } from './config.js';
import { startQualitySubgraph } from './server.js';

/** Runs the quality subgraph as a process of its own (docker-compose): config from the environment. */
const config = loadQualitySubgraphConfig(process.env);
const subgraph = await startQualitySubgraph({ ...config, log: (line) => console.log(line) });
console.log(`quality subgraph at ${subgraph.url}`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void subgraph.close().then(() => process.exit(0));
  });
}
