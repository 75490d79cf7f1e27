import type { Command } from 'commander';
import { createPool } from '../platform/db/index.js';
import { mdmDatabaseUrl } from '../mdm/cli.js';
import { createJetStreamBroker } from './broker/jetstream.js';
import { hubSpotModifiedAfter } from './capture/crmCompanies.js';
import { loadEventsConfig } from './config.js';
import { formatCdcStatus, readCdcStatus } from './status.js';

/** `concord cdc …`: the change-capture pipeline's operator commands. */
export function registerCdcCommands(program: Command): Command {
  const cdc = program.command('cdc').description('live master data: change capture from the ERP and the CRM');
  cdc.command('status')
    .description('per source: position, lag in seconds and in changes, redeliveries, dead letters, last error')
    .option('--database-url <url>', 'PostgreSQL holding the mdm schema (default: MDM_DATABASE_URL, DATABASE_URL, or the embedded one of npm start)')
    .option('--json', 'print JSON')
    .action(async (opts: { databaseUrl?: string; json?: boolean }) => {
      const config = loadEventsConfig();
      const pool = createPool({ connectionString: opts.databaseUrl ?? mdmDatabaseUrl(process.env), max: 2, applicationName: 'concord-cdc-cli' });
      const erpPool = config.erpDatabaseUrl ? createPool({ connectionString: config.erpDatabaseUrl, max: 1, applicationName: 'concord-cdc-cli' }) : undefined;
      const broker = config.natsUrl
        ? await createJetStreamBroker({ servers: config.natsUrl, namespace: config.natsNamespace, maxDeliveries: config.maxDeliveries, name: 'concord-cdc-cli' })
        : undefined;
      try {
        const status = await readCdcStatus(pool, {
          erpPool, erpSchema: config.erpSchema, slot: config.slot,
          ...(broker ? { jetstream: { deadLetters: async () => (await broker.stats()).deadLetters } } : {}),
          ...(config.crm.baseUrl && config.crm.token ? { crmModifiedAfter: (since: number) => hubSpotModifiedAfter({ baseUrl: config.crm.baseUrl!, token: config.crm.token! }, since) } : {}),
        });
        process.stdout.write(opts.json ? `${JSON.stringify(status, null, 2)}\n` : formatCdcStatus(status));
      } finally {
        await broker?.close();
        await erpPool?.end();
        await pool.end();
      }
    });
  return cdc;
}
