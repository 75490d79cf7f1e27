import { ConfigError, startServiceTracing, startSubgraphServer, TRACING_OFF, type HttpCircuitBreakerOptions, type RunningSubgraph, type SourceRequestListener } from '../../platform/index.js';
import { resolveGatewayProofKey, type GatewayProofKey, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import type { CrmSubgraphConfig } from './config.js';
import type { CrmLogger } from './fieldErrors.js';
import { createHubSpotClient } from './hubspotClient.js';
import { buildCrmSchema, createCrmContext } from './schema.js';

/** {@link CrmSubgraphConfig}, with everything but where to listen and which CRM optional (defaults as in the config). */
export interface CrmSubgraphOptions extends Pick<CrmSubgraphConfig, 'port' | 'host' | 'baseUrl' | 'token'> {
  /**
   * The key the gateway's proof is checked with (a key, e.g. the in-process
   * stack's generated secret, or settings from the environment). Every
   * /graphql request without a valid proof gets 401.
   */
  gatewayProof: GatewayProofKey | GatewayProofSettings;
  /** @default 10000 */
  timeoutMs?: number;
  /** @default 3 */
  maxAttempts?: number;
  /** @default 5000 */
  maxRetryAfterMs?: number;
  /** First retry backoff in ms after a connection error or 5xx. @default 100 */
  retryInitialDelayMs?: number;
  circuitBreaker?: HttpCircuitBreakerOptions | false;
  /** @default false */
  production?: boolean;
  /** Told of every HTTP call to the CRM (tests count them). */
  onSourceRequest?: SourceRequestListener;
  /** Where failed CRM calls are logged, upstream body included. @default none */
  logger?: CrmLogger;
  /** Spans for its requests and CRM calls, exported as configured. @default off */
  tracing?: CrmSubgraphConfig['tracing'];
}

/**
 * Starts the CRM subgraph: its own keep-alive HTTP client to the CRM (closed
 * with the server), the schema, and GET /health answering with a cheap
 * authenticated CRM read, so a wrong token shows there too.
 */
export async function startCrmSubgraph(options: CrmSubgraphOptions): Promise<RunningSubgraph> {
  if (!options.token) throw new ConfigError('CRM_TOKEN', 'a HubSpot private-app access token', options.token);
  const gatewayProofKey = await resolveGatewayProofKey(options.gatewayProof, 'verifier');
  const tracing = startServiceTracing(options.tracing ?? TRACING_OFF);
  const client = createHubSpotClient({
    baseUrl: options.baseUrl,
    token: options.token,
    timeoutMs: options.timeoutMs,
    retry: {
      maxAttempts: options.maxAttempts,
      maxRetryAfterMs: options.maxRetryAfterMs,
      initialDelayMs: options.retryInitialDelayMs,
    },
    circuitBreaker: options.circuitBreaker,
    onSourceRequest: options.onSourceRequest,
    tracer: tracing?.tracer,
  });
  try {
    return await startSubgraphServer({
      name: 'crm',
      schema: buildCrmSchema({ logger: options.logger }),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      gatewayProofKey,
      createContext: () => createCrmContext({ client }),
      checkHealth: () => client.ping(),
      onClose: () => client.close(),
      tracing,
    });
  } catch (error) {
    await client.close();
    await tracing?.shutdown();
    throw error;
  }
}
