import type { GatewayPlugin } from '../plugins.js';
import { GATEWAY_PROOF_HEADER, signProofFor, DEFAULT_PROOF_TTL_SEC, type GatewayProofKey } from '../../platform/auth/gatewayProof.js';
import { ANONYMOUS, type Principal } from '../../platform/auth/principal.js';

/** Distinct principals whose proofs are kept; beyond it the oldest is dropped. */
const MAX_CACHED_PROOFS = 10_000;

/**
 * Adds the gateway's proof (`x-concord-gateway-proof`, ADR 0003) to every
 * subgraph call: operations carry the verified principal's subject and
 * scopes; SDL fetches for composition and health checks carry an anonymous
 * proof. A proof is reused for a principal until half its lifetime has
 * passed: signing is cheap, but equal headers also let identical in-flight
 * subgraph requests of one caller be shared.
 */
export function gatewayProofPlugin(key: GatewayProofKey, ttlSec = DEFAULT_PROOF_TTL_SEC): GatewayPlugin {
  const cache = new Map<string, { token: string; renewAt: number }>();
  async function proofFor(principal: Principal): Promise<string> {
    const cacheKey = principal.kind === 'user' ? `${principal.subject}\0${principal.scopes.join(' ')}` : '';
    const now = Date.now();
    const cached = cache.get(cacheKey);
    if (cached && cached.renewAt > now) return cached.token;
    const token = await signProofFor(principal, key, ttlSec);
    if (cache.size >= MAX_CACHED_PROOFS) cache.delete(cache.keys().next().value!);
    cache.set(cacheKey, { token, renewAt: now + (ttlSec * 1000) / 2 });
    return token;
  }
  return {
    name: 'gateway-proof',
    async willSendRequest(request) {
      request.request.headers[GATEWAY_PROOF_HEADER] = await proofFor(request.context?.state.principal ?? ANONYMOUS);
    },
  };
}
