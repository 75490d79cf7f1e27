import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ERRORS_PAGE, renderErrorsPage } from './errorsPage.js';

/**
 * `concord docs errors`: prints docs/errors.md as the registries say it
 * should be; `--write` writes it, `--check` fails when the file differs.
 */
export function registerDocsCommands(program: Command): void {
  const docs = program.command('docs').description('generated documentation pages');
  docs
    .command('errors')
    .description(`every error code Concord can return (${ERRORS_PAGE})`)
    .option('--write', `write ${ERRORS_PAGE} instead of printing it`)
    .option('--check', `exit 1 when ${ERRORS_PAGE} is not what the registries say`)
    .action(async (options: { write?: boolean; check?: boolean }) => {
      const page = renderErrorsPage();
      if (options.check) {
        const current = await readFile(ERRORS_PAGE, 'utf8').catch(() => '');
        if (current !== page) {
          console.error(`${ERRORS_PAGE} is out of date: run npx concord docs errors --write`);
          process.exitCode = 1;
        }
        return;
      }
      if (options.write) {
        await writeFile(ERRORS_PAGE, page);
        console.log(`wrote ${ERRORS_PAGE}`);
        return;
      }
      process.stdout.write(page);
    });
}
