import { context, type Tracer } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { TracingConfig } from '../config.js';

/** One service's tracer and the provider behind it, flushed and shut down with the service. */
export interface ServiceTracing {
  readonly serviceName: string;
  readonly tracer: Tracer;
  readonly provider: BasicTracerProvider;
  /** Export every ended span now (tests call it instead of waiting for the batch delay). */
  forceFlush(): Promise<void>;
  /** Flush, then stop exporting. */
  shutdown(): Promise<void>;
}

/** The instrumentation scope of Concord's own spans (Apollo's are `apollo/gateway-js`). */
const TRACER_NAME = 'concord';

/**
 * Start tracing for one service, or return undefined when the config says
 * off — then nothing is created and callers skip every span.
 *
 * The provider is NOT registered as the global one: `npm start` runs the
 * gateway and the three subgraphs in one process, and each must export under
 * its own `service.name`, so each service hands its tracer to the code that
 * makes spans. Only the gateway also registers globally (gateway/observability/tracing.ts),
 * because @apollo/gateway finds its tracer through the global API. The
 * context manager is process-wide by nature and is set once here.
 */
export function startServiceTracing(config: TracingConfig): ServiceTracing | undefined {
  if (!config.enabled) return undefined;
  ensureContextManager();
  const exporter: SpanExporter = config.exporter === 'console' ? new ConsoleSpanExporter() : new OTLPTraceExporter({ url: config.endpoint });
  const processor: SpanProcessor = config.exporter === 'console' ? new SimpleSpanProcessor(exporter) : new BatchSpanProcessor(exporter);
  const provider = new BasicTracerProvider({
    resource: new Resource({ [ATTR_SERVICE_NAME]: config.serviceName }),
    spanProcessors: [processor],
  });
  let shutdown: Promise<void> | undefined;
  return {
    serviceName: config.serviceName,
    tracer: provider.getTracer(TRACER_NAME),
    provider,
    // The processor's flush does not wait for an export its timer already started; the exporter's does.
    forceFlush: async () => {
      await provider.forceFlush();
      await exporter.forceFlush?.();
    },
    shutdown: () => (shutdown ??= provider.shutdown()),
  };
}

let contextManagerSet = false;

/**
 * AsyncLocalStorage carries the active span across awaits, so an SQL span
 * finds the subgraph request that caused it. Registered once per process;
 * if someone else registered one first, theirs is kept.
 */
function ensureContextManager(): void {
  if (contextManagerSet) return;
  const manager = new AsyncLocalStorageContextManager().enable();
  if (!context.setGlobalContextManager(manager)) manager.disable();
  contextManagerSet = true;
}
