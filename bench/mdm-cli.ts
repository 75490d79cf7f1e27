/**
 * Runs the `concord mdm …` commands standalone (the same code the concord
 * CLI registers), e.g.:
 *   npx tsx bench/mdm-cli.ts mdm evaluate --febrl ../shared/data/febrl/dataset1.csv
 */
import { Command } from 'commander';
import { registerMdmCommands } from '../mdm/cli.js';

const program = new Command('concord');
registerMdmCommands(program);
await program.parseAsync(process.argv);
