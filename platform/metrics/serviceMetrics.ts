import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Breaker states as a gauge value: 0 closed, 1 open, 2 half-open (one probe in flight), 3 isolated by hand. */
export const BREAKER_STATE_VALUE = { closed: 0, open: 1, halfOpen: 2, isolated: 3 } as const;
export type BreakerStateName = keyof typeof BREAKER_STATE_VALUE;

/** Outcome of one source call, as counted. */
export type SourceCallOutcome = 'ok' | 'error' | 'timeout' | 'circuit_open' | 'bulkhead_full' | 'rate_limited';

/**
 * One service's Prometheus metrics (a subgraph, the CRM stand-in…), in a
 * registry of its own so several services can share a process (tests, the
 * embedded stack) and each /metrics shows only its own:
 *
 * - requests by outcome, errors by code, latency histogram;
 * - per source: call latency, outcomes, in-flight calls, breaker state;
 * - pg pool usage; the CRM rate budget's queue and waits.
 */
export class ServiceMetrics {
  readonly registry = new Registry();
  readonly requests: Counter<'outcome'>;
  readonly requestDuration: Histogram<'outcome'>;
  readonly errors: Counter<'code'>;
  readonly inFlight: Gauge;
  readonly shed: Counter;
  readonly sourceCalls: Counter<'source' | 'outcome'>;
  readonly sourceDuration: Histogram<'source' | 'outcome'>;
  readonly sourceInFlight: Gauge<'source'>;
  readonly breakerState: Gauge<'source'>;
  readonly breakerTransitions: Counter<'source' | 'state'>;
  readonly poolConnections: Gauge<'pool' | 'state'>;
  readonly rateBudgetWaiting: Gauge<'budget'>;
  readonly rateBudgetWait: Histogram<'budget'>;
  readonly rateBudgetRefused: Counter<'budget' | 'reason'>;

  constructor(readonly service: string, options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.registry.setDefaultLabels({ service });
    this.requests = new Counter({ name: 'concord_requests_total', help: 'GraphQL requests served, by outcome (ok, partial = data with errors, error, shed).', labelNames: ['outcome'], registers });
    this.requestDuration = new Histogram({
      name: 'concord_request_duration_seconds', help: 'Time from request arrival to response written.', labelNames: ['outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.errors = new Counter({ name: 'concord_errors_total', help: 'GraphQL errors answered, by extensions.code.', labelNames: ['code'], registers });
    this.inFlight = new Gauge({ name: 'concord_requests_in_flight', help: 'Requests being served now.', registers });
    this.shed = new Counter({ name: 'concord_requests_shed_total', help: 'Requests refused with 503 because the in-flight cap was reached.', registers });
    this.sourceCalls = new Counter({ name: 'concord_source_calls_total', help: 'Calls to a source (SQL statement, CRM HTTP attempt), by outcome.', labelNames: ['source', 'outcome'], registers });
    this.sourceDuration = new Histogram({
      name: 'concord_source_call_duration_seconds', help: 'Source call latency, by source and outcome.', labelNames: ['source', 'outcome'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
    });
    this.sourceInFlight = new Gauge({ name: 'concord_source_calls_in_flight', help: 'Calls to a source running now (the bulkhead caps them).', labelNames: ['source'], registers });
    this.breakerState = new Gauge({ name: 'concord_source_breaker_state', help: 'Circuit breaker per source: 0 closed, 1 open, 2 half-open, 3 isolated.', labelNames: ['source'], registers });
    this.breakerTransitions = new Counter({ name: 'concord_source_breaker_transitions_total', help: 'Breaker state changes, by the state entered.', labelNames: ['source', 'state'], registers });
    this.poolConnections = new Gauge({ name: 'concord_db_pool_connections', help: 'pg pool connections: total, idle, and callers waiting for one.', labelNames: ['pool', 'state'], registers });
    this.rateBudgetWaiting = new Gauge({ name: 'concord_rate_budget_waiting', help: 'Calls queued for a rate-budget slot now.', labelNames: ['budget'], registers });
    this.rateBudgetWait = new Histogram({
      name: 'concord_rate_budget_wait_seconds', help: 'Time a call waited for its rate-budget slot.', labelNames: ['budget'],
      buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10], registers,
    });
    this.rateBudgetRefused = new Counter({ name: 'concord_rate_budget_refused_total', help: 'Calls refused by the rate budget (no slot within the request deadline, daily limit).', labelNames: ['budget', 'reason'], registers });
    if (options.defaultMetrics ?? false) collectDefaultMetrics({ register: this.registry });
  }

  /** Counts the codes of a GraphQL answer's errors (parsed only when it has any). */
  countErrorCodes(body: string): 'ok' | 'partial' | 'error' {
    if (!body.includes('"errors"')) return 'ok';
    try {
      const parsed = JSON.parse(body) as { data?: unknown; errors?: Array<{ extensions?: { code?: unknown } }> };
      for (const error of parsed.errors ?? []) {
        const code = error.extensions?.code;
        this.errors.labels(typeof code === 'string' ? code : 'UNKNOWN').inc();
      }
      return parsed.data === undefined || parsed.data === null ? 'error' : 'partial';
    } catch {
      return 'error';
    }
  }

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
