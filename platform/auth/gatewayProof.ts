import { randomBytes, randomUUID } from 'node:crypto';
import { SignJWT, errors, importPKCS8, importSPKI, jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import { ConfigError, readString } from '../config.js';
import { AuthError } from './errors.js';
import { ANONYMOUS, scopesFromClaims, userPrincipal, type Principal, type UserPrincipal } from './principal.js';

/**
 * The gateway's proof: a short-lived JWT the gateway signs for each subgraph
 * request, carrying the subject and scopes it verified. Subgraphs refuse any
 * request without a valid one, so a direct call (including `_entities`)
 * cannot go around the gateway, and with one the same field rules hold
 * because the scopes travel inside it.
 */
export const GATEWAY_PROOF_HEADER = 'x-concord-gateway-proof';
const ISSUER = 'concord-gateway';
const AUDIENCE = 'concord-subgraph';
/** A minute covers one request's fan-out and a retry; a stolen proof is useless soon after. */
export const DEFAULT_PROOF_TTL_SEC = 60;

/** A shared secret (HS256) or an Ed25519 pair (EdDSA; subgraphs then hold only the public key). */
export type GatewayProofKey =
  | { kind: 'secret'; secret: Uint8Array }
  | { kind: 'keyPair'; privateKey?: CryptoKey; publicKey: CryptoKey };

export interface GatewayProofClaims {
  subject: string | null;
  scopes: readonly string[];
  /** @default 60 */
  ttlSec?: number;
}

function algorithmOf(key: GatewayProofKey): 'HS256' | 'EdDSA' {
  return key.kind === 'secret' ? 'HS256' : 'EdDSA';
}

export async function signGatewayProof(claims: GatewayProofClaims, key: GatewayProofKey): Promise<string> {
  const signingKey = key.kind === 'secret' ? key.secret : key.privateKey;
  if (!signingKey) throw new Error('gateway proof: this key pair has no private key, it can only verify');
  const payload: JWTPayload = { scope: claims.scopes.join(' ') };
  if (claims.subject === null) payload.anon = true;
  return new SignJWT(payload)
    .setProtectedHeader({ alg: algorithmOf(key), typ: 'concord-proof+jwt' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.subject ?? 'anonymous')
    .setJti(randomUUID())
    .setIssuedAt()
    .setExpirationTime(`${claims.ttlSec ?? DEFAULT_PROOF_TTL_SEC}s`)
    .sign(signingKey);
}

/** Convenience for the gateway: the proof for a verified principal. */
export function signProofFor(principal: Principal, key: GatewayProofKey, ttlSec = DEFAULT_PROOF_TTL_SEC): Promise<string> {
  return signGatewayProof({ subject: principal.kind === 'user' ? principal.subject : null, scopes: principal.scopes, ttlSec }, key);
}

/** Clock skew allowed: gateway and subgraphs run on hosts synced by NTP. */
const CLOCK_TOLERANCE_SEC = 5;

/** Verified proofs a subgraph remembers per key; beyond it the oldest is dropped. */
const MAX_VERIFIED_PROOFS = 10_000;

/**
 * Proofs already verified, per key: the token (signature included) to the
 * principal it carries and the moment it stops being valid. The gateway
 * reuses a principal's proof for half its lifetime, so nearly every subgraph
 * request carries a token seen before; verifying it again (jose imports the
 * HS256 secret and runs the HMAC through WebCrypto each time) was 3% of the
 * subgraphs' thread under the gateway benchmark. A token that differs in one
 * character is another key, and an entry is dropped at its expiry, so what
 * is answered from here is exactly what a fresh verification would answer.
 */
const verifiedProofs = new WeakMap<GatewayProofKey, Map<string, { principal: Principal; validUntilMs: number }>>();

function verifiedProofsOf(key: GatewayProofKey): Map<string, { principal: Principal; validUntilMs: number }> {
  let verified = verifiedProofs.get(key);
  if (!verified) verifiedProofs.set(key, (verified = new Map()));
  return verified;
}

function frozenPrincipal(principal: UserPrincipal): UserPrincipal {
  Object.freeze(principal.scopes);
  return Object.freeze(principal);
}

/**
 * Checks the proof header of a subgraph request and returns the principal it
 * carries. Throws AuthError GATEWAY_PROOF_MISSING / GATEWAY_PROOF_INVALID (401).
 */
export async function verifyGatewayProof(header: string | string[] | undefined, key: GatewayProofKey): Promise<Principal> {
  const token = Array.isArray(header) ? header[0] : header;
  if (!token) throw new AuthError('GATEWAY_PROOF_MISSING', `subgraphs answer only requests from the gateway (missing ${GATEWAY_PROOF_HEADER})`);
  const verified = verifiedProofsOf(key);
  const known = verified.get(token);
  if (known) {
    if (Date.now() <= known.validUntilMs) return known.principal;
    verified.delete(token); // expired: verified again below, which refuses it
  }
  let payload: JWTPayload;
  try {
    const verifyKey = key.kind === 'secret' ? key.secret : key.publicKey;
    ({ payload } = await jwtVerify(token, verifyKey, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: [algorithmOf(key)],
      clockTolerance: CLOCK_TOLERANCE_SEC,
      requiredClaims: ['exp', 'iat', 'sub'],
    }));
  } catch (error) {
    const reason = error instanceof errors.JWTExpired ? 'the gateway proof has expired' : 'the gateway proof is not valid';
    throw new AuthError('GATEWAY_PROOF_INVALID', reason, { cause: error });
  }
  // Frozen: one object now answers every request that carries this token.
  const principal = payload.anon === true ? ANONYMOUS : frozenPrincipal(userPrincipal(String(payload.sub), scopesFromClaims(payload)));
  if (verified.size >= MAX_VERIFIED_PROOFS) verified.delete(verified.keys().next().value!);
  // jose accepts a token until exp + the tolerance; the cache keeps it no longer.
  verified.set(token, { principal, validUntilMs: (payload.exp! + CLOCK_TOLERANCE_SEC) * 1000 });
  return principal;
}

/** A fresh random secret (32 bytes, the HS256 key size), e.g. for the in-process demo stack. */
export function generateGatewayProofSecret(): GatewayProofKey {
  return { kind: 'secret', secret: new Uint8Array(randomBytes(32)) };
}

/**
 * The proof key as configuration holds it (read synchronously with the rest
 * of a service's config; {@link resolveGatewayProofKey} imports it at start).
 */
export interface GatewayProofSettings {
  /** HS256 shared secret, at least 32 characters. */
  secret?: string;
  /** Ed25519 SPKI PEM (subgraphs; the gateway too, beside the private key). */
  publicKeyPem?: string;
  /** Ed25519 PKCS8 PEM (gateway only). */
  privateKeyPem?: string;
}

function readPrefixed(env: Record<string, string | undefined>, name: string): [string | undefined, string] {
  const prefixed = `CONCORD_${name}`;
  const value = readString(env, prefixed);
  if (value !== undefined) return [value, prefixed];
  return [readString(env, name), name];
}

/**
 * The proof key settings from the environment (docker-compose sets the first):
 * - `CONCORD_GATEWAY_PROOF_SECRET`: a shared secret, at least 32 characters (HS256);
 * - or `CONCORD_GATEWAY_PROOF_PUBLIC_KEY` (SPKI PEM, Ed25519) on subgraphs, plus
 *   `CONCORD_GATEWAY_PROOF_PRIVATE_KEY` (PKCS8 PEM) on the gateway.
 * The names without the `CONCORD_` prefix are accepted too.
 */
export function readGatewayProofSettings(env: Record<string, string | undefined>): GatewayProofSettings {
  const [secret, secretKey] = readPrefixed(env, 'GATEWAY_PROOF_SECRET');
  const [publicKeyPem] = readPrefixed(env, 'GATEWAY_PROOF_PUBLIC_KEY');
  const [privateKeyPem] = readPrefixed(env, 'GATEWAY_PROOF_PRIVATE_KEY');
  if (secret !== undefined && secret.length < 32) throw new ConfigError(secretKey, 'at least 32 characters', '<hidden>');
  const settings: GatewayProofSettings = {};
  if (secret !== undefined) settings.secret = secret;
  if (publicKeyPem !== undefined) settings.publicKeyPem = publicKeyPem;
  if (privateKeyPem !== undefined) settings.privateKeyPem = privateKeyPem;
  return settings;
}

export function isGatewayProofKey(value: GatewayProofKey | GatewayProofSettings): value is GatewayProofKey {
  return 'kind' in value;
}

/**
 * The key from a key or from settings; throws a ConfigError naming the
 * variable when there is none, since a subgraph must not serve without it.
 */
export async function resolveGatewayProofKey(value: GatewayProofKey | GatewayProofSettings | undefined, role: 'signer' | 'verifier'): Promise<GatewayProofKey> {
  if (value && isGatewayProofKey(value)) return value;
  const key = value ? await keyOfSettings(value, role) : undefined;
  if (!key) throw new ConfigError('CONCORD_GATEWAY_PROOF_SECRET', 'the gateway proof secret (or CONCORD_GATEWAY_PROOF_PUBLIC_KEY/_PRIVATE_KEY)', undefined);
  return key;
}

async function keyOfSettings(settings: GatewayProofSettings, role: 'signer' | 'verifier'): Promise<GatewayProofKey | undefined> {
  const names = { secret: 'CONCORD_GATEWAY_PROOF_SECRET', publicKeyPem: 'CONCORD_GATEWAY_PROOF_PUBLIC_KEY', privateKeyPem: 'CONCORD_GATEWAY_PROOF_PRIVATE_KEY' };
  if (settings.secret !== undefined) {
    if (settings.secret.length < 32) throw new ConfigError(names.secret, 'at least 32 characters', '<hidden>');
    return { kind: 'secret', secret: new TextEncoder().encode(settings.secret) };
  }
  const { publicKeyPem, privateKeyPem } = settings;
  if (!publicKeyPem && !privateKeyPem) return undefined;
  if (!publicKeyPem) throw new ConfigError(names.publicKeyPem, 'an Ed25519 SPKI PEM beside the private key', undefined);
  const publicKey = await importSPKI(publicKeyPem, 'EdDSA').catch((error: unknown) => {
    throw new ConfigError(names.publicKeyPem, `an Ed25519 SPKI PEM (${(error as Error).message})`, '<hidden>');
  });
  if (role === 'verifier') return { kind: 'keyPair', publicKey };
  if (!privateKeyPem) throw new ConfigError(names.privateKeyPem, 'an Ed25519 PKCS8 PEM on the gateway', undefined);
  const privateKey = await importPKCS8(privateKeyPem, 'EdDSA').catch((error: unknown) => {
    throw new ConfigError(names.privateKeyPem, `an Ed25519 PKCS8 PEM (${(error as Error).message})`, '<hidden>');
  });
  return { kind: 'keyPair', privateKey, publicKey };
}

/**
 * Reads the proof key from the environment ({@link readGatewayProofSettings}).
 * Returns undefined when none is set (the caller decides whether that is fatal).
 */
export async function loadGatewayProofKey(env: Record<string, string | undefined>, role: 'signer' | 'verifier'): Promise<GatewayProofKey | undefined> {
  return keyOfSettings(readGatewayProofSettings(env), role);
}

/**
 * What every subgraph does first with each HTTP request (before GraphQL):
 * verify the gateway proof from the node:http headers and put the principal
 * in the resolver context. A request without a valid proof — a direct call,
 * `_entities` included — is answered 401 with `error.toGraphQLError()`.
 */
export function authenticateSubgraphRequest(headers: Record<string, string | string[] | undefined>, key: GatewayProofKey): Promise<Principal> {
  return verifyGatewayProof(headers[GATEWAY_PROOF_HEADER], key);
}
