import { type Command, InvalidArgumentError } from 'commander';
import { ConfigError, readUrl } from '../../platform/config.js';
import { createPool } from '../../platform/db/index.js';
import { DEFAULT_COMPANIES, DEFAULT_SEED, seedSandbox, type SeedSummary } from './seedSandbox.js';

/**
 * `concord seed`: fills the sandbox ERP, CRM and truth tables of a PostgreSQL
 * database. It needs a database URL (--database-url or DATABASE_URL): the
 * embedded PGlite default lives only inside `concord start`, which seeds it
 * itself.
 */
export function registerSeedCommand(program: Command): void {
  program
    .command('seed')
    .description('fill the sandbox ERP, CRM and ground-truth tables with deterministic demo data')
    .option('--seed <n>', 'random seed: the same seed on the same reference date gives identical data', parseCount(0), DEFAULT_SEED)
    .option('--companies <n>', 'real-world companies to create (the showcase Globex included)', parseCount(1), DEFAULT_COMPANIES)
    .option('--products <n>', 'real-world products to create (default: max(200, companies / 10))', parseCount(6))
    .option('--reference-date <day>', 'the day every date is relative to, YYYY-MM-DD (default: today, UTC)', parseDay)
    .option('--reset', 'empty the erp, crm and truth tables first instead of refusing a non-empty database', false)
    .option('--database-url <url>', 'PostgreSQL connection URL (default: DATABASE_URL)')
    .action(async (options: { seed: number; companies: number; products?: number; referenceDate?: Date; reset: boolean; databaseUrl?: string }) => {
      const connectionString = options.databaseUrl ?? readUrl(process.env, 'DATABASE_URL');
      if (!connectionString) throw new ConfigError('DATABASE_URL', 'a PostgreSQL URL (or --database-url)', undefined);
      const pool = createPool({ connectionString, max: 4, applicationName: 'concord-seed' });
      const progress = progressLine();
      try {
        const summary = await seedSandbox(pool, {
          seed: options.seed,
          companies: options.companies,
          products: options.products,
          referenceDate: options.referenceDate,
          reset: options.reset,
          onProgress: progress.update,
        });
        progress.done();
        console.log(formatSummary(summary));
      } finally {
        progress.done();
        await pool.end();
      }
    });
}

function parseCount(min: number) {
  return (raw: string): number => {
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`expected an integer of at least ${min}, got "${raw}"`);
    return value;
  };
}

function parseDay(raw: string): Date {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(raw) ? new Date(`${raw}T00:00:00Z`) : new Date(Number.NaN);
  if (Number.isNaN(day.getTime())) throw new InvalidArgumentError(`expected a day as YYYY-MM-DD, got "${raw}"`);
  return day;
}

/** One progress line on stderr: rewritten in place on a terminal, every 10 % otherwise (CI logs). */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  let lastDecile = -1;
  let open = false;
  return {
    update(done: number, total: number) {
      const percent = Math.floor((done / total) * 100);
      const line = `seeding: ${done.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} companies (${percent} %) ${((Date.now() - started) / 1000).toFixed(1)} s`;
      if (tty) {
        process.stderr.write(`\r${line}`);
        open = true;
      } else if (Math.floor(percent / 10) !== lastDecile) {
        lastDecile = Math.floor(percent / 10);
        process.stderr.write(`${line}\n`);
      }
    },
    done() {
      if (open) process.stderr.write('\n');
      open = false;
    },
  };
}

export function formatSummary(summary: SeedSummary): string {
  const entries = Object.entries(summary.rows);
  const width = Math.max(...entries.map(([name]) => name.length), 'table'.length);
  const lines = [
    `Seeded ${summary.companies.toLocaleString('en-US')} companies and ${summary.products.toLocaleString('en-US')} products (seed ${summary.seed}, reference date ${summary.referenceDate}) in ${(summary.durationMs / 1000).toFixed(1)} s.`,
    `Showcase ${summary.showcase.truthId} (Globex): ERP res_partner ${summary.showcase.erpPartnerId}, CRM company ${summary.showcase.crmCompanyId}.`,
    '',
    `${'table'.padEnd(width)}  ${'rows'.padStart(10)}`,
    `${'-'.repeat(width)}  ${'-'.repeat(10)}`,
    ...entries.map(([name, count]) => `${name.padEnd(width)}  ${count.toLocaleString('en-US').padStart(10)}`),
  ];
  return lines.join('\n');
}
