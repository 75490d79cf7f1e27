import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { SignJWT, exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK } from 'jose';
import { DEMO_USERS, PROFILES } from '../authorization/scopeMatrix.js';
import type { TokenVerifierOptions } from './tokenVerifier.js';

/**
 * The demo mode's local issuer: an ES256 key pair generated once and kept in
 * `.concord/` (gitignored), so tokens printed by `npx concord token` keep
 * working across restarts. Production never uses it: it points the gateway
 * at a real issuer's JWKS instead.
 */
export const DEFAULT_DEMO_KEY_FILE = '.concord/demo-issuer.json';

/**
 * Relative key file paths are resolved against the project root, not the
 * working directory, so `npx concord token` run from any folder of the
 * checkout and the gateway started by `npm start` share one key.
 */
const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export function resolveKeyFile(keyFile: string = DEFAULT_DEMO_KEY_FILE): string {
  return path.resolve(PROJECT_ROOT, keyFile);
}
export const DEFAULT_DEMO_ISSUER = 'urn:concord:demo-issuer';
export const DEFAULT_DEMO_AUDIENCE = 'concord';
const ALG = 'ES256';

export interface DemoIssuerOptions {
  /** @default '.concord/demo-issuer.json' (relative to the working directory) */
  keyFile?: string;
  /** @default 'urn:concord:demo-issuer' */
  issuer?: string;
  /** @default 'concord' */
  audience?: string;
}

export interface DemoTokenRequest {
  user: string;
  /** Replaces the user's profile scopes when given. */
  scopes?: readonly string[];
  /** jose time span ("1h", "15m", "2d") or seconds. @default '1h' */
  ttl?: string | number;
}

export interface DemoIssuer {
  issuer: string;
  audience: string;
  /** Public keys only. */
  jwks: JSONWebKeySet;
  issueToken(request: DemoTokenRequest): Promise<string>;
  /** node:http handler for GET /.well-known/jwks.json */
  jwksHandler(request: IncomingMessage, response: ServerResponse): void;
  /** Options for createTokenVerifier that trust this issuer (local JWKS, no HTTP). */
  verifierOptions(): TokenVerifierOptions;
}

interface KeyFile {
  /** Newest first: the first key signs, all verify (so a rotation keeps old tokens valid). */
  keys: JWK[];
}

async function generateSigningJwk(): Promise<JWK> {
  const { privateKey } = await generateKeyPair(ALG, { extractable: true });
  const jwk = await exportJWK(privateKey);
  return { ...jwk, kid: randomUUID(), alg: ALG, use: 'sig' };
}

async function readKeyFile(file: string): Promise<KeyFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(file, 'utf8')) as KeyFile;
    if (!Array.isArray(parsed.keys) || !parsed.keys.length) throw new Error('no keys');
    return parsed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`demo issuer key file ${file} is unreadable (${(error as Error).message}); delete it to generate new keys`, { cause: error });
  }
}

/** Creates the key file once; a concurrent creator (another process starting) wins and we read its keys. */
async function loadOrCreateKeys(file: string): Promise<KeyFile> {
  const existing = await readKeyFile(file);
  if (existing) return existing;
  await mkdir(path.dirname(file), { recursive: true });
  const created: KeyFile = { keys: [await generateSigningJwk()] };
  // Written aside, then linked into place: link fails if the file exists, and a
  // concurrent reader (the token command while the gateway starts) never sees half a file.
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(created, null, 2), { mode: 0o600 });
  try {
    await link(temporary, file);
    return created;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return (await readKeyFile(file))!;
  } finally {
    await unlink(temporary).catch(() => {});
  }
}

/** Adds a new signing key in front of the old ones (which keep verifying until removed). */
export async function rotateDemoIssuerKeys(options: DemoIssuerOptions = {}): Promise<void> {
  const file = resolveKeyFile(options.keyFile);
  const current = await loadOrCreateKeys(file);
  const next: KeyFile = { keys: [await generateSigningJwk(), ...current.keys].slice(0, 3) };
  const temporary = `${file}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temporary, JSON.stringify(next, null, 2), { mode: 0o600 });
  await rename(temporary, file);
}

function publicPart(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...rest } = jwk;
  return rest;
}

export async function loadDemoIssuer(options: DemoIssuerOptions = {}): Promise<DemoIssuer> {
  const keyFile = resolveKeyFile(options.keyFile);
  const issuer = options.issuer ?? DEFAULT_DEMO_ISSUER;
  const audience = options.audience ?? DEFAULT_DEMO_AUDIENCE;
  const { keys } = await loadOrCreateKeys(keyFile);
  const signingJwk = keys[0];
  const signingKey = await importJWK(signingJwk, ALG);
  const jwks: JSONWebKeySet = { keys: keys.map(publicPart) };
  const jwksBody = JSON.stringify(jwks);

  return {
    issuer,
    audience,
    jwks,
    async issueToken(request) {
      const scopes = request.scopes ?? scopesOfDemoUser(request.user);
      return new SignJWT({ scope: scopes.join(' ') })
        .setProtectedHeader({ alg: ALG, kid: signingJwk.kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience(audience)
        .setSubject(request.user)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(typeof request.ttl === 'number' ? `${request.ttl}s` : (request.ttl ?? '1h'))
        .sign(signingKey);
    },
    jwksHandler(request, response) {
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        response.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      // Five minutes: verifiers refetch on an unknown kid anyway, so rotation does not wait for this.
      response.writeHead(200, { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' });
      response.end(request.method === 'HEAD' ? undefined : jwksBody);
    },
    verifierOptions() {
      return { issuer, audience, jwks };
    },
  };
}

/** The profile scopes of a demo user; throws naming the known users. */
export function scopesOfDemoUser(user: string): readonly string[] {
  const profile = DEMO_USERS[user];
  if (!profile) {
    throw new Error(`unknown demo user "${user}": expected one of ${Object.keys(DEMO_USERS).join(', ')} (or give --scopes for another user; anonymous callers send no token)`);
  }
  return PROFILES[profile].scopes;
}

/** One-shot convenience: `issueDemoToken({ user: 'demo-analyst' })`. */
export async function issueDemoToken(request: DemoTokenRequest, options: DemoIssuerOptions = {}): Promise<string> {
  return (await loadDemoIssuer(options)).issueToken(request);
}
