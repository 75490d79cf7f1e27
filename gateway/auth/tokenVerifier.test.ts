import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, base64url, exportJWK, exportSPKI, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../platform/auth/errors.js';
import { createTokenVerifier } from './tokenVerifier.js';

const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'concord';

interface SigningKey { kid: string; alg: 'ES256' | 'RS256'; privateKey: CryptoKey; publicKey: CryptoKey; jwk: JWK }

async function makeKey(kid: string, alg: 'ES256' | 'RS256' = 'ES256'): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicKey, jwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } };
}

function sign(key: SigningKey, claims: Record<string, unknown> = {}, edit: (jwt: SignJWT) => SignJWT = (j) => j): Promise<string> {
  const jwt = new SignJWT({ scope: 'customers:read pii:read', ...claims })
    .setProtectedHeader({ alg: key.alg, kid: key.kid })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject('alice')
    .setIssuedAt()
    .setExpirationTime('5m');
  return edit(jwt).sign(key.privateKey);
}

/** A real JWKS endpoint whose key list the test changes, counting the fetches it serves. */
function startJwksServer(initial: JWK[]) {
  const state = { keys: initial, hits: 0 };
  const server: Server = createServer((_req, res) => {
    state.hits += 1;
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: state.keys }));
  });
  return new Promise<{ url: string; state: typeof state; close: () => Promise<void> }>((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/.well-known/jwks.json`, state, close: () => new Promise((r) => server.close(() => r())) });
    });
  });
}

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  expect((error as AuthError).status).toBe(401);
  return error as AuthError;
}

describe('bearer JWT verification', () => {
  let keyA: SigningKey;
  let verifier: ReturnType<typeof createTokenVerifier>;
  beforeAll(async () => {
    keyA = await makeKey('key-a');
    verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [keyA.jwk] } });
  });
  const bearer = (token: string) => `Bearer ${token}`;

  it('accepts a valid token and reads subject and scopes', async () => {
    expect(await verifier.verify(bearer(await sign(keyA)))).toMatchObject({ kind: 'user', subject: 'alice', scopes: ['customers:read', 'pii:read'] });
  });

  it('treats a missing header as anonymous', async () => {
    expect(await verifier.verify(undefined)).toEqual({ kind: 'anonymous', scopes: [] });
  });

  it('refuses a header that is not a bearer token', async () => {
    expect((await refusal(verifier.verify('Basic YWxpY2U6cw=='))).code).toBe('INVALID_AUTHORIZATION_HEADER');
  });

  it('refuses alg none', async () => {
    const header = base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }));
    const payload = base64url.encode(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'mallory', scope: 'audit:read', exp: Math.floor(Date.now() / 1000) + 300 }));
    expect((await refusal(verifier.verify(bearer(`${header}.${payload}.`)))).code).toBe('INVALID_TOKEN');
  });

  it('refuses HS256 signed with the public key as the HMAC secret', async () => {
    const publicPem = await exportSPKI(keyA.publicKey);
    const forged = await new SignJWT({ scope: 'audit:read' }).setProtectedHeader({ alg: 'HS256', kid: 'key-a' })
      .setIssuer(ISSUER).setAudience(AUDIENCE).setSubject('mallory').setExpirationTime('5m').sign(new TextEncoder().encode(publicPem));
    const error = await refusal(verifier.verify(bearer(forged)));
    expect(error.code).toBe('INVALID_TOKEN');
    expect(error.reason).toMatch(/algorithm/);
  });

  it('refuses to be configured with none or HS algorithms', () => {
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [] }, algorithms: ['none'] })).toThrow(/never/);
    expect(() => createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks: { keys: [] }, algorithms: ['HS256'] })).toThrow(/asymmetric/);
  });

  it('refuses an expired token beyond the clock skew, accepts one within it', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await sign(keyA, {}, (j) => j.setIssuedAt(now - 600).setExpirationTime(now - 60));
    expect((await refusal(verifier.verify(bearer(expired)))).code).toBe('TOKEN_EXPIRED');
    const justExpired = await sign(keyA, {}, (j) => j.setIssuedAt(now - 600).setExpirationTime(now - 10));
    expect(await verifier.verify(bearer(justExpired))).toMatchObject({ subject: 'alice' });
  });

  it('refuses a token that is not valid yet', async () => {
    const future = await sign(keyA, {}, (j) => j.setNotBefore(Math.floor(Date.now() / 1000) + 300));
    expect((await refusal(verifier.verify(bearer(future)))).code).toBe('TOKEN_NOT_YET_VALID');
  });

  it('refuses a wrong issuer and a wrong audience', async () => {
    expect((await refusal(verifier.verify(bearer(await sign(keyA, {}, (j) => j.setIssuer('https://evil.test/'))))))).toMatchObject({ code: 'INVALID_ISSUER' });
    expect((await refusal(verifier.verify(bearer(await sign(keyA, {}, (j) => j.setAudience('other'))))))).toMatchObject({ code: 'INVALID_AUDIENCE' });
  });

  it('refuses an unknown kid', async () => {
    expect((await refusal(verifier.verify(bearer(await sign(await makeKey('key-z'))))))).toMatchObject({ code: 'UNKNOWN_KEY' });
  });

  it('refuses a tampered payload', async () => {
    const [header, , signature] = (await sign(keyA)).split('.');
    const payload = base64url.encode(JSON.stringify({ iss: ISSUER, aud: AUDIENCE, sub: 'alice', scope: 'audit:read', exp: Math.floor(Date.now() / 1000) + 300 }));
    const error = await refusal(verifier.verify(bearer(`${header}.${payload}.${signature}`)));
    expect(error).toMatchObject({ code: 'INVALID_TOKEN', reason: 'the token signature is not valid' });
  });
});

describe('JWKS fetching and key rotation', () => {
  let keyA: SigningKey;
  let keyB: SigningKey;
  let jwks: Awaited<ReturnType<typeof startJwksServer>>;
  beforeAll(async () => {
    keyA = await makeKey('key-a');
    keyB = await makeKey('key-b', 'RS256');
    jwks = await startJwksServer([keyA.jwk]);
  });
  afterAll(() => jwks.close());

  it('fetches once, refetches once for a burst of unknown kids, and accepts the rotated key after the cooldown', async () => {
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, jwksCooldownMs: 300 });
    const tokenA = `Bearer ${await sign(keyA)}`;
    for (let i = 0; i < 5; i += 1) await verifier.verify(tokenA);
    expect(jwks.state.hits).toBe(1);

    // Within the cooldown after that first fetch, an unknown kid costs no fetch at all.
    const tokenB = `Bearer ${await sign(keyB)}`;
    await refusal(verifier.verify(tokenB));
    expect(jwks.state.hits).toBe(1);
    // After it, key B (signed with, not published yet): 20 concurrent requests cost one refetch.
    await new Promise((r) => setTimeout(r, 350));
    const tokenB2 = `Bearer ${await sign(keyB)}`;
    const results = await Promise.allSettled(Array.from({ length: 20 }, () => verifier.verify(tokenB2)));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as AuthError).code === 'UNKNOWN_KEY')).toBe(true);
    expect(jwks.state.hits).toBe(2);
    // Within the cooldown, more unknown kids cost nothing.
    await refusal(verifier.verify(tokenB));
    expect(jwks.state.hits).toBe(2);

    // The issuer rotates: B published beside A. After the cooldown, one refetch and B is accepted.
    jwks.state.keys = [keyB.jwk, keyA.jwk];
    await new Promise((r) => setTimeout(r, 350));
    expect(await verifier.verify(tokenB)).toMatchObject({ subject: 'alice' });
    expect(jwks.state.hits).toBe(3);
    expect(await verifier.verify(tokenA)).toMatchObject({ subject: 'alice' });
    expect(jwks.state.hits).toBe(3);
  });

  it('refuses a token signed with a key rotated out of the JWKS once the cache ages', async () => {
    jwks.state.keys = [keyA.jwk];
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: jwks.url, jwksCooldownMs: 50, jwksCacheMaxAgeMs: 200 });
    const tokenA = `Bearer ${await sign(keyA)}`;
    expect(await verifier.verify(tokenA)).toMatchObject({ subject: 'alice' });
    jwks.state.keys = [keyB.jwk];
    await new Promise((r) => setTimeout(r, 250));
    expect((await refusal(verifier.verify(tokenA))).code).toBe('UNKNOWN_KEY');
    expect(await verifier.verify(`Bearer ${await sign(keyB)}`)).toMatchObject({ subject: 'alice' });
  });

  it('answers 503 JWKS_UNAVAILABLE when the issuer cannot be reached', async () => {
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: AUDIENCE, jwksUrl: 'http://127.0.0.1:1/jwks.json', jwksTimeoutMs: 500 });
    const error = await verifier.verify(`Bearer ${await sign(keyA)}`).catch((e: unknown) => e as AuthError);
    expect(error).toMatchObject({ code: 'JWKS_UNAVAILABLE', status: 503 });
  });
});
