import { trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { TracingConfig } from '../../platform/config.js';
import { startServiceTracing, type ServiceTracing } from '../../platform/tracing/serviceTracing.js';

/**
 * The gateway's tracing: its own provider (service `concord-gateway` unless
 * OTEL_SERVICE_NAME says otherwise), registered as the process's global one
 * because @apollo/gateway finds its tracer through the global API and emits
 * gateway.request → gateway.validate/plan → gateway.execute → gateway.fetch
 * (one per subgraph call, the parent of the subgraph's server span) →
 * gateway.postprocessing only when a provider is registered. Concord adds the
 * HTTP server span above them (httpHandler.ts) and the trace context on each
 * subgraph call (dataSource.ts); it does not repeat Apollo's spans.
 *
 * Returns undefined when tracing is off: nothing is registered and the API
 * stays the no-op it is by default.
 */
export function startGatewayTracing(config: TracingConfig, logger: Logger): ServiceTracing | undefined {
  const tracing = startServiceTracing(config);
  if (!tracing) return undefined;
  // @apollo/gateway caches a proxy tracer at import; a later provider would never reach it
  // (ADR 0006), so the first gateway of a process keeps the global registration for good.
  if (!trace.setGlobalTracerProvider(tracing.provider)) {
    logger.warn('a tracer provider is already registered in this process: @apollo/gateway spans go to it, not to this gateway\'s');
  }
  return tracing;
}
