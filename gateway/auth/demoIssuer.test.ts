import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoIssuer, rotateDemoIssuerKeys } from './demoIssuer.js';
import { registerTokenCommand } from './tokenCommand.js';
import { createTokenVerifier } from './tokenVerifier.js';

let dir: string;
let keyFile: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'concord-issuer-'));
  keyFile = path.join(dir, '.concord', 'demo-issuer.json');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('demo issuer', () => {
  it('generates its keys once, private to the owner, and reuses them', async () => {
    const first = await loadDemoIssuer({ keyFile });
    const second = await loadDemoIssuer({ keyFile });
    expect(second.jwks).toEqual(first.jwks);
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600);
    expect(JSON.stringify(first.jwks)).not.toContain('"d"');
  });

  it('issues tokens with the profile scopes that a verifier fetching its JWKS over HTTP accepts', async () => {
    const issuer = await loadDemoIssuer({ keyFile });
    const server = createServer((req, res) => issuer.jwksHandler(req, res));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
      const verifier = createTokenVerifier({ issuer: issuer.issuer, audience: issuer.audience, jwksUrl: url });
      const principal = await verifier.verify(`Bearer ${await issuer.issueToken({ user: 'demo-analyst' })}`);
      expect(principal).toMatchObject({ subject: 'demo-analyst', scopes: ['customers:read', 'products:read', 'finance:read', 'sales:read', 'support:read', 'explore', 'reconcile:read'] });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('refuses unknown demo users unless scopes are given', async () => {
    const issuer = await loadDemoIssuer({ keyFile });
    await expect(issuer.issueToken({ user: 'mallory' })).rejects.toThrow(/unknown demo user "mallory": expected one of demo-analyst/);
    const verifier = createTokenVerifier(issuer.verifierOptions());
    expect(await verifier.verify(`Bearer ${await issuer.issueToken({ user: 'bot', scopes: ['products:read'] })}`)).toMatchObject({ subject: 'bot', scopes: ['products:read'] });
  });

  it('keeps old tokens valid after a rotation while new ones use the new key', async () => {
    const before = await loadDemoIssuer({ keyFile });
    const oldToken = await before.issueToken({ user: 'demo-sales' });
    await rotateDemoIssuerKeys({ keyFile });
    const after = await loadDemoIssuer({ keyFile });
    expect(after.jwks.keys).toHaveLength(2);
    const verifier = createTokenVerifier(after.verifierOptions());
    expect(await verifier.verify(`Bearer ${oldToken}`)).toMatchObject({ subject: 'demo-sales' });
    expect(await verifier.verify(`Bearer ${await after.issueToken({ user: 'demo-sales' })}`)).toMatchObject({ subject: 'demo-sales' });
  });
});

describe('concord token', () => {
  async function runTokenCommand(args: string[]): Promise<string> {
    const program = new Command().exitOverride();
    registerTokenCommand(program);
    const chunks: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    process.stdout.write = ((chunk: string) => (chunks.push(String(chunk)), true)) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'concord', 'token', ...args, '--key-file', keyFile]);
    } finally {
      process.stdout.write = write;
    }
    return chunks.join('');
  }

  it('prints only the bare token, usable as a bearer', async () => {
    const output = await runTokenCommand(['--user', 'demo-analyst', '--scopes', 'customers:read pii:read', '--ttl', '15m']);
    expect(output).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const issuer = await loadDemoIssuer({ keyFile });
    const principal = await createTokenVerifier(issuer.verifierOptions()).verify(`Bearer ${output.trim()}`);
    expect(principal).toMatchObject({ subject: 'demo-analyst', scopes: ['customers:read', 'pii:read'] });
    const claims = JSON.parse(Buffer.from(output.split('.')[1], 'base64url').toString());
    expect(claims.exp - claims.iat).toBe(900);
  });

  it('refuses a malformed ttl', async () => {
    await expect(runTokenCommand(['--user', 'demo-analyst', '--ttl', 'forever'])).rejects.toThrow(/--ttl/);
  });

  it('stores the keys where it is told', async () => {
    expect(JSON.parse(await readFile(keyFile, 'utf8')).keys.length).toBeGreaterThan(0);
  });
});
