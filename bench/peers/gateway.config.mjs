/**
 * Hive Gateway's configuration for bench/gateway.ts (passed with -c). The
 * subgraphs answer only calls carrying the Concord gateway proof, so every
 * subgraph call gets the long-lived one the bench signed (BENCH_GATEWAY_PROOF);
 * Hive checks no JWT of its own. Everything else stays at Hive's defaults
 * (including its deduplication of identical in-flight subgraph requests).
 */
const proof = process.env.BENCH_GATEWAY_PROOF;

export const gatewayConfig = {
  logging: 'error',
  propagateHeaders: {
    fromClientToSubgraphs: () => (proof ? { 'x-concord-gateway-proof': proof } : {}),
  },
};
