import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthError } from './errors.js';
import { generateGatewayProofSecret, loadGatewayProofKey, signGatewayProof, signProofFor, verifyGatewayProof } from './gatewayProof.js';
import { ANONYMOUS } from './principal.js';

async function refusal(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe('gateway proof', () => {
  const key = generateGatewayProofSecret();

  it('carries subject and scopes from gateway to subgraph', async () => {
    const proof = await signGatewayProof({ subject: 'demo-sales', scopes: ['customers:read', 'sales:read'] }, key);
    expect(await verifyGatewayProof(proof, key)).toEqual({ kind: 'user', subject: 'demo-sales', scopes: ['customers:read', 'sales:read'], claims: undefined });
  });

  it('carries an anonymous caller as anonymous', async () => {
    expect(await verifyGatewayProof(await signProofFor(ANONYMOUS, key), key)).toEqual(ANONYMOUS);
  });

  it('refuses a missing proof with GATEWAY_PROOF_MISSING', async () => {
    expect((await refusal(verifyGatewayProof(undefined, key))).code).toBe('GATEWAY_PROOF_MISSING');
  });

  it('refuses a proof signed with another secret, an expired one and a plain user JWT', async () => {
    const other = await signGatewayProof({ subject: 'x', scopes: [] }, generateGatewayProofSecret());
    expect((await refusal(verifyGatewayProof(other, key))).code).toBe('GATEWAY_PROOF_INVALID');
    const secret = (key as { secret: Uint8Array }).secret;
    const expired = await new SignJWT({ scope: 'a' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('concord-gateway').setAudience('concord-subgraph')
      .setSubject('x').setIssuedAt(Math.floor(Date.now() / 1000) - 120).setExpirationTime(Math.floor(Date.now() / 1000) - 60).sign(secret);
    expect((await refusal(verifyGatewayProof(expired, key))).reason).toMatch(/expired/);
    const userToken = await new SignJWT({ scope: 'a' }).setProtectedHeader({ alg: 'HS256' }).setIssuer('someone').setSubject('x').setIssuedAt().setExpirationTime('1m').sign(secret);
    expect((await refusal(verifyGatewayProof(userToken, key))).code).toBe('GATEWAY_PROOF_INVALID');
  });

  describe('proofs already verified', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('answers a token seen before until it expires, then refuses it as expired', async () => {
      vi.useFakeTimers({ toFake: ['Date'] });
      const proof = await signGatewayProof({ subject: 'demo-sales', scopes: ['sales:read'], ttlSec: 10 }, key);
      const first = await verifyGatewayProof(proof, key);
      const again = await verifyGatewayProof(proof, key);
      expect(again).toEqual({ kind: 'user', subject: 'demo-sales', scopes: ['sales:read'], claims: undefined });
      // What a cached answer hands out cannot be changed by the request that got it.
      expect(Object.isFrozen(again) && Object.isFrozen(again.scopes)).toBe(true);
      expect(again).toBe(first);
      // Within the 5 s tolerance after exp it is still good; past it, refused.
      vi.setSystemTime(Date.now() + 14_000);
      expect(await verifyGatewayProof(proof, key)).toMatchObject({ subject: 'demo-sales' });
      vi.setSystemTime(Date.now() + 2_000);
      expect((await refusal(verifyGatewayProof(proof, key))).reason).toMatch(/expired/);
    });

    it('refuses a verified token with one character of its signature changed, and the same token under another key', async () => {
      const proof = await signGatewayProof({ subject: 'demo-sales', scopes: ['sales:read'] }, key);
      await verifyGatewayProof(proof, key);
      const last = proof.at(-2) === 'A' ? 'B' : 'A';
      const altered = `${proof.slice(0, -2)}${last}${proof.at(-1)}`;
      expect((await refusal(verifyGatewayProof(altered, key))).code).toBe('GATEWAY_PROOF_INVALID');
      expect((await refusal(verifyGatewayProof(proof, generateGatewayProofSecret()))).code).toBe('GATEWAY_PROOF_INVALID');
      expect(await verifyGatewayProof(proof, key)).toMatchObject({ subject: 'demo-sales' });
    });
  });

  it('works with an Ed25519 pair where subgraphs hold only the public key', async () => {
    const pair = generateKeyPairSync('ed25519');
    const env = {
      GATEWAY_PROOF_PUBLIC_KEY: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      GATEWAY_PROOF_PRIVATE_KEY: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    };
    const signer = (await loadGatewayProofKey(env, 'signer'))!;
    const verifier = (await loadGatewayProofKey({ GATEWAY_PROOF_PUBLIC_KEY: env.GATEWAY_PROOF_PUBLIC_KEY }, 'verifier'))!;
    const proof = await signGatewayProof({ subject: 's', scopes: ['a'] }, signer);
    expect(await verifyGatewayProof(proof, verifier)).toMatchObject({ subject: 's', scopes: ['a'] });
    await expect(signGatewayProof({ subject: 's', scopes: [] }, verifier)).rejects.toThrow(/only verify/);
  });

  it('refuses a short shared secret naming the variable', async () => {
    await expect(loadGatewayProofKey({ GATEWAY_PROOF_SECRET: 'short' }, 'signer')).rejects.toThrow(/GATEWAY_PROOF_SECRET/);
  });
});
