import type { SupergraphStatus } from '../supergraph/manager.js';

/** The body of GET /health: liveness plus which supergraph is serving. */
export interface GatewayHealth {
  status: 'ok' | 'starting';
  supergraph: SupergraphStatus | null;
  uptimeSeconds: number;
}

/**
 * Build the health answer. The gateway only listens once a supergraph is
 * loaded, so a running gateway is 'ok'; a refused hot update shows under
 * `supergraph.lastRejection` without making the gateway unhealthy — it is
 * still serving the previous supergraph.
 */
export function checkHealth(supergraph: SupergraphStatus | undefined, startedAt: number): GatewayHealth {
  return {
    status: supergraph ? 'ok' : 'starting',
    supergraph: supergraph ?? null,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
  };
}
