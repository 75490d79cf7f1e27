import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ServiceMetrics } from '../../platform/metrics/index.js';

export type RequestOutcome = 'ok' | 'partial' | 'error';
export type SubgraphOutcome = 'ok' | 'graphql_error' | 'http_error' | 'unavailable' | 'timeout';

/**
 * The gateway's Prometheus metrics, in a registry of its own (several gateways
 * can run in one process, as tests do). Label children are cached so the hot
 * path does one Map lookup instead of prom-client's label hashing.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /**
   * The resilience metrics every Concord service shares (platform/metrics,
   * label service="gateway"): requests in flight and shed, and per subgraph
   * the calls, their latency, in-flight calls and breaker state.
   */
  readonly resilience = new ServiceMetrics('gateway');
  readonly #auditRecords = new Counter({
    name: 'concord_gateway_audit_records_total',
    help: 'PII/finance reads by where their audit record was stored before the answer left: database, spool, or refused (fields withheld).',
    labelNames: ['stored'] as const,
    registers: [this.registry],
  });
  #spoolBacklog: () => number = () => 0;
  readonly #auditSpoolBacklog: Gauge = new Gauge({
    name: 'concord_gateway_audit_spool_backlog',
    help: 'Audit records in the local spool not yet replayed into the audit database (non-zero while it is down or catching up).',
    registers: [this.registry],
    collect: (): void => this.#auditSpoolBacklog.set(this.#spoolBacklog()),
  });
  readonly #requests = new Counter({
    name: 'concord_gateway_requests_total',
    help: 'GraphQL requests by operation type, HTTP status and outcome (ok, partial = data with errors, error).',
    labelNames: ['operation_type', 'status', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #requestDuration = new Histogram({
    name: 'concord_gateway_request_duration_seconds',
    help: 'Time from request start to response written, by operation type and outcome.',
    labelNames: ['operation_type', 'outcome'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #subgraphFetches = new Counter({
    name: 'concord_gateway_subgraph_fetches_total',
    help: 'Subgraph HTTP calls by subgraph and outcome (ok, graphql_error, http_error, unavailable, timeout).',
    labelNames: ['subgraph', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #subgraphDuration = new Histogram({
    name: 'concord_gateway_subgraph_fetch_duration_seconds',
    help: 'Subgraph HTTP call duration by subgraph and outcome.',
    labelNames: ['subgraph', 'outcome'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly #deduplicated = new Counter({
    name: 'concord_gateway_subgraph_fetches_deduplicated_total',
    help: 'Subgraph queries answered by sharing an identical in-flight call instead of sending a new one.',
    labelNames: ['subgraph'] as const,
    registers: [this.registry],
  });
  readonly #merged = new Counter({
    name: 'concord_gateway_subgraph_entity_fetches_merged_total',
    help: 'Entity fetches of concurrent operations that went to the subgraph inside a merged call (ADR 0019), by subgraph.',
    labelNames: ['subgraph'] as const,
    registers: [this.registry],
  });
  readonly #lingers = new Counter({
    name: 'concord_gateway_subgraph_entity_call_lingers_total',
    help: 'Merged entity calls held back for callers expected to come back (ADR 0021), by subgraph and outcome: filled (they all came) or ran-out (the hold window ended first and those that came were sent).',
    labelNames: ['subgraph', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly #children = new Map<string, { count: { inc(): void }; duration: { observe(v: number): void } }>();

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(operationType: string, status: number, outcome: RequestOutcome, seconds: number): void {
    const key = `r\0${operationType}\0${status}\0${outcome}`;
    let child = this.#children.get(key);
    if (!child) {
      child = {
        count: this.#requests.labels(operationType, String(status), outcome),
        duration: this.#requestDuration.labels(operationType, outcome),
      };
      this.#children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }

  observeSubgraphFetch(subgraph: string, outcome: SubgraphOutcome, seconds: number): void {
    const key = `s\0${subgraph}\0${outcome}`;
    let child = this.#children.get(key);
    if (!child) {
      child = { count: this.#subgraphFetches.labels(subgraph, outcome), duration: this.#subgraphDuration.labels(subgraph, outcome) };
      this.#children.set(key, child);
    }
    child.count.inc();
    child.duration.observe(seconds);
  }

  countDeduplicated(subgraph: string): void {
    this.#deduplicated.labels(subgraph).inc();
  }

  /** `fetches` entity fetches went out as one merged subgraph call. */
  countMergedEntityCalls(subgraph: string, fetches: number): void {
    this.#merged.labels(subgraph).inc(fetches);
  }

  countEntityFetchLinger(subgraph: string, outcome: 'filled' | 'ran-out'): void {
    this.#lingers.labels(subgraph, outcome).inc();
  }

  countAuditRecord(stored: 'database' | 'spool' | 'refused' | 'log'): void {
    this.#auditRecords.labels(stored).inc();
  }

  /** Where concord_gateway_audit_spool_backlog is read from at each scrape. */
  watchAuditSpool(backlog: () => number): void {
    this.#spoolBacklog = backlog;
  }

  /** The exposition text and its content type, for GET /metrics. */

  async render(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: `${await this.registry.metrics()}\n${await this.resilience.registry.metrics()}` };
  }
}
