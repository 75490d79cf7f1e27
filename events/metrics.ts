import { Gauge, Registry } from 'prom-client';
import type { PipelineStatus } from './pipeline.js';

/**
 * Prometheus metrics of the pipeline, read from its status at scrape time
 * (gauges with a collect callback, so nothing is counted twice):
 * concord_cdc_captured_total, concord_cdc_lag_seconds, concord_cdc_applied_total,
 * concord_cdc_redeliveries_total, concord_cdc_dead_letters, concord_cdc_pending,
 * concord_cdc_source_up (0 while a capture has a standing error).
 */
export function pipelineMetrics(status: () => Promise<PipelineStatus>, registry = new Registry()): Registry {
  let latest: Promise<PipelineStatus> | undefined;
  // One status read per scrape, shared by every gauge.
  const read = () => (latest ??= status().finally(() => setTimeout(() => { latest = undefined; }, 0)));
  const gauge = (name: string, help: string, labelNames: string[], set: (g: Gauge<string>, s: PipelineStatus) => void) =>
    new Gauge({ name, help, labelNames, registers: [registry], async collect() { this.reset(); set(this, await read()); } });
  gauge('concord_cdc_captured_total', 'Source changes captured since the process started', ['source'], (g, s) => { for (const c of s.sources) g.set({ source: c.source }, c.captured); });
  gauge('concord_cdc_lag_seconds', 'How far the captured position is behind the source', ['source'], (g, s) => { for (const c of s.sources) g.set({ source: c.source }, c.lagSeconds); });
  gauge('concord_cdc_lag_events', 'Source changes not yet captured (watermark) or received and not yet confirmed (logical replication)', ['source'], (g, s) => { for (const c of s.sources) g.set({ source: c.source }, c.lagEvents); });
  gauge('concord_cdc_source_up', '1 while the capture runs without a standing error', ['source'], (g, s) => { for (const c of s.sources) g.set({ source: c.source }, c.lastError ? 0 : 1); });
  gauge('concord_cdc_applied_total', 'Changes the MDM consumer handled, by outcome', ['outcome'], (g, s) => {
    if (!s.consumer) return;
    for (const outcome of ['applied', 'unchanged', 'replayed', 'stale', 'absent', 'quarantined'] as const) g.set({ outcome }, s.consumer[outcome]);
  });
  gauge('concord_cdc_redeliveries_total', 'Deliveries of a change after its first', [], (g, s) => g.set(s.broker.redeliveries));
  gauge('concord_cdc_dead_letters', 'Changes given up after the maximum deliveries', [], (g, s) => g.set(s.broker.deadLetters));
  gauge('concord_cdc_pending', 'Changes published and not yet applied', [], (g, s) => g.set(s.broker.pending));
  return registry;
}
