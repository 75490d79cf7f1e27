/**
 * Runs the CRM stand-in as its own process (docker-compose): config from the
 * environment (see config.ts), stopped cleanly on SIGINT / SIGTERM.
 */
import { loadCrmSandboxConfig } from './config.js';
import { startCrmSandbox } from './server.js';

const config = loadCrmSandboxConfig(process.env);
const sandbox = await startCrmSandbox(config);
console.log(`CRM sandbox (HubSpot CRM API) listening at ${sandbox.url}`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => process.exit(0),
      (error) => {
        console.error('CRM sandbox failed to stop cleanly:', error);
        process.exit(1);
      },
    );
  });
}
