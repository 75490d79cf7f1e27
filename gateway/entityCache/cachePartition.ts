import type { GatewayContext } from '../plugins.js';

/**
 * The part of a cache key that keeps callers apart: what the subgraph's
 * answer depends on besides the query — the scopes in the gateway proof (field
 * rules and PII masking are decided by them). Callers with the same scope set
 * see the same golden record, so they share entries; any other set, and the
 * anonymous caller, get entries of their own. Without security (bench, bare
 * tests) every caller is the same.
 */
export function cachePartitionOf(context: GatewayContext | undefined): string {
  const principal = context?.state.principal;
  if (!principal) return 'open';
  if (principal.kind === 'anonymous') return 'anonymous';
  return `scopes:${[...principal.scopes].sort().join(' ')}`;
}
