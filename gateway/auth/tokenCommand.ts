import { Option, type Command } from 'commander';
import { DEFAULT_DEMO_KEY_FILE, loadDemoIssuer } from './demoIssuer.js';

const TTL = /^\d+\s*(s|sec|secs|second|seconds|m|min|mins|minute|minutes|h|hr|hrs|hour|hours|d|day|days|w|week|weeks)?$/i;

/**
 * `concord token --user demo-analyst [--scopes "customers:read pii:read"] [--ttl 1h]`
 * prints the bare token on stdout (nothing else), so
 * `curl -H "Authorization: Bearer $(npx concord token --user demo-analyst)"` works.
 */
export function registerTokenCommand(program: Command): Command {
  return program
    .command('token')
    .description('print a demo bearer token (demo issuer only) for a demo user')
    .requiredOption('--user <user>', 'demo-analyst, demo-steward, demo-sales, demo-support, demo-finance or demo-admin')
    .option('--scopes <scopes>', 'space-separated scopes, replacing the user profile scopes')
    .option('--ttl <ttl>', 'lifetime, e.g. 15m, 1h, 2d', '1h')
    .addOption(new Option('--key-file <path>', 'demo issuer key file').env('DEMO_ISSUER_KEY_FILE').default(DEFAULT_DEMO_KEY_FILE))
    .action(async (options: { user: string; scopes?: string; ttl: string; keyFile: string }) => {
      if (!TTL.test(options.ttl)) throw new Error(`--ttl: expected a duration like 15m, 1h or 2d, got "${options.ttl}"`);
      const ttl = /^\d+$/.test(options.ttl) ? Number(options.ttl) : options.ttl;
      const issuer = await loadDemoIssuer({ keyFile: options.keyFile });
      const scopes = options.scopes === undefined ? undefined : options.scopes.split(/[\s,]+/).filter(Boolean);
      process.stdout.write(`${await issuer.issueToken({ user: options.user, scopes, ttl })}\n`);
    });
}
