import { readInt } from '../../platform/config.js';

type Env = Record<string, string | undefined>;

/**
 * How the gateway fails fast (ADR 0011). Every default is a number an
 * operator can reason about:
 *
 * | variable | default | why |
 * | --- | --- | --- |
 * | GATEWAY_REQUEST_TIMEOUT_MS | 5000 | a person waits about this long for a customer 360; the slowest healthy one takes well under 1 s |
 * | GATEWAY_MAX_IN_FLIGHT | 512 | requests served at once; one more is answered 503 GATEWAY_OVERLOADED with Retry-After |
 * | GATEWAY_SUBGRAPH_MAX_CONCURRENT | 128 | calls to one subgraph at once (the bulkhead) |
 * | GATEWAY_SUBGRAPH_MAX_QUEUED | 256 | calls waiting for a slot; beyond, SUBGRAPH_UNAVAILABLE reason overloaded |
 * | SUBGRAPH_BREAKER_FAILURES | 5 | consecutive failed calls (no answer, timeout, 5xx) that open a subgraph's circuit |
 * | SUBGRAPH_BREAKER_HALF_OPEN_MS | 5000 | how long it stays open before one probe call |
 * | READY_TIMEOUT_MS | 1000 | how long /ready waits for each subgraph's /ready |
 * | READY_CACHE_MS | 500 | /ready answers from the last check this young (probes from many load balancers) |
 */
export interface GatewayResilienceConfig {
  requestTimeoutMs: number;
  maxInFlight: number;
  subgraphMaxConcurrent: number;
  subgraphMaxQueued: number;
  breakerFailures: number;
  breakerHalfOpenMs: number;
  readyTimeoutMs: number;
  readyCacheMs: number;
}

export function readGatewayResilience(env: Env): GatewayResilienceConfig {
  return {
    requestTimeoutMs: readInt(env, 'GATEWAY_REQUEST_TIMEOUT_MS', 5_000, { min: 1, max: 600_000 }),
    maxInFlight: readInt(env, 'GATEWAY_MAX_IN_FLIGHT', 512, { min: 1, max: 1_000_000 }),
    subgraphMaxConcurrent: readInt(env, 'GATEWAY_SUBGRAPH_MAX_CONCURRENT', 128, { min: 1, max: 100_000 }),
    subgraphMaxQueued: readInt(env, 'GATEWAY_SUBGRAPH_MAX_QUEUED', 256, { min: 0, max: 1_000_000 }),
    breakerFailures: readInt(env, 'SUBGRAPH_BREAKER_FAILURES', 5, { min: 1, max: 1_000 }),
    breakerHalfOpenMs: readInt(env, 'SUBGRAPH_BREAKER_HALF_OPEN_MS', 5_000, { min: 10, max: 600_000 }),
    readyTimeoutMs: readInt(env, 'READY_TIMEOUT_MS', 1_000, { min: 1, max: 60_000 }),
    readyCacheMs: readInt(env, 'READY_CACHE_MS', 500, { min: 0, max: 60_000 }),
  };
}

export const DEFAULT_GATEWAY_RESILIENCE: GatewayResilienceConfig = readGatewayResilience({});
