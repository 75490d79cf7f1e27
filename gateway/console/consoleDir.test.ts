import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startService, type ChildService } from '../../test/faults/support/processes.js';
import { composeSupergraph, isCompositionFailure } from '../supergraph/compose.js';
import { CRM_SDL, MDM_SDL } from '../supergraph/fixtures.js';
import { readConsoleBundle } from './readBundle.js';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);

/**
 * The gateway run as its own process (docker-compose) serves the console from
 * a bundle written ahead of time: written by console/writeBundle.ts as the
 * Docker image's build does, read by gateway/main.ts from GATEWAY_CONSOLE_DIR.
 */
describe('the console in a gateway started on its own', () => {
  const work = path.join(REPO_ROOT, '.concord', `console-dir-test-${process.pid}`);
  const bundleDir = path.join(work, 'console');
  let gateway: ChildService | undefined;

  beforeAll(async () => {
    await mkdir(work, { recursive: true });
    const written = await run(process.execPath, ['--import', 'tsx', 'console/writeBundle.ts', bundleDir], { cwd: REPO_ROOT });
    expect(written.stdout).toMatch(/console bundle written/);
    const composed = composeSupergraph([
      { name: 'mdm', url: 'http://127.0.0.1:9/graphql', sdl: MDM_SDL },
      { name: 'crm', url: 'http://127.0.0.1:9/graphql', sdl: CRM_SDL },
    ]);
    if (isCompositionFailure(composed)) throw new Error(composed.errors.map((e) => e.message).join('; '));
    const supergraphPath = path.join(work, 'supergraph.graphql');
    await writeFile(supergraphPath, composed.supergraphSdl);
    const port = await freePort();
    gateway = await startService({
      name: 'gateway', entry: 'gateway/main.ts', port, ready: { http: '/health' },
      env: {
        PORT: String(port), HOST: '127.0.0.1', SUPERGRAPH_PATH: supergraphPath, GATEWAY_CONSOLE_DIR: bundleDir,
        CONCORD_GATEWAY_PROOF_SECRET: 'console-dir-test-proof-secret-0123456789', DATABASE_URL: '', LOG_LEVEL: 'warn',
        AUDIT_SPOOL_DIR: path.join(work, 'audit-spool'),
      },
    });
  }, 120_000);
  afterAll(async () => {
    await gateway?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('serves the page and the very bytes the build wrote', async () => {
    const page = await fetch(`${gateway!.origin}/console`);
    expect(page.status).toBe(200);
    const html = await page.text();
    const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
    expect(script).toBeTruthy();
    const served = await fetch(new URL(script!, `${gateway!.origin}/console`), { headers: { 'accept-encoding': 'identity' } });
    expect(served.status).toBe(200);
    expect(Buffer.from(await served.arrayBuffer()).equals(await readFile(path.join(bundleDir, 'app.js')))).toBe(true);
  });

  it('refuses to start from a directory without a bundle, naming the file', async () => {
    await expect(readConsoleBundle(path.join(work, 'nowhere'))).rejects.toThrow(/GATEWAY_CONSOLE_DIR: cannot read .*app\.js \(ENOENT\)/);
  });
});
