import { Command } from 'commander';
import { registerStartCommand } from '../stack/cli.js';
import { registerBootstrapCommand, registerPublishSubgraphsCommand } from '../stack/bootstrap.js';
import { registerSeedCommand } from '../sandbox/seed/cli.js';
import { registerTokenCommand } from '../gateway/auth/tokenCommand.js';
import { registerMdmCommands } from '../mdm/cli.js';
import { registerSchemaCommands } from '../schema/cli/commands.js';
import { registerSubgraphCommands } from '../schema/cli/scaffold.js';
import { registerDocsCommands } from './docs/docsCommand.js';
import { registerCdcCommands } from '../events/cli.js';

/**
 * One CLI for operators and domain teams: `npx concord <command>`.
 * Each command lives next to the part it drives and registers itself here.
 */
const program = new Command()
  .name('concord')
  .description('Concord: a federated customer/product graph over ERP, CRM and MDM')
  .showHelpAfterError();

registerStartCommand(program);
registerBootstrapCommand(program);
registerPublishSubgraphsCommand(program);
registerSeedCommand(program);
registerTokenCommand(program);
registerMdmCommands(program);
registerSchemaCommands(program);
registerSubgraphCommands(program);
registerDocsCommands(program);
registerCdcCommands(program);

program.parseAsync(process.argv).catch((error: unknown) => {
  const err = error as Error & { code?: string };
  console.error(`concord: ${err.message}${err.code ? ` (${err.code})` : ''}`);
  process.exit(2);
});
