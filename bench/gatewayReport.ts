import type { BenchQuery } from './gatewayQueries.js';
import type { LoadResult } from './gatewayLoad.js';
import { CONTENDERS, type ContenderName } from './gatewayPeers.js';

/** What one gateway did with one query under load. */
export interface Measurement {
  contender: ContenderName;
  /** Which of the run's rounds (--rounds N, N > 1) the window belongs to. */
  round?: number;
  query: BenchQuery['name'];
  load?: LoadResult;
  /** Peak RSS of the gateway process during the measured window. */
  rssPeakBytes?: number;
  /** Gateway CPU time per operation answered, in ms. */
  gatewayCpuMsPerOp?: number;
  /** Gateway CPU seconds per second of the window (1 = one core busy). */
  gatewayCpuShare?: number;
  /** HTTP requests the subgraphs received per operation answered, in the measured window. */
  subgraphRequestsPerOp?: number;
  subgraphRequestsByName?: Record<string, number>;
  /** Source round trips (SQL queries, CRM API calls) per operation answered. */
  sourceRequestsPerOp?: number;
  /** CPU time of the subgraphs' process (subgraphs, CRM stand-in, PGlite; not wrk) per operation answered, in ms. */
  subgraphCpuMsPerOp?: number;
  /** Whether a single answer's `data` equals the first gateway's for this query. */
  sameAnswer?: boolean;
  /** Entity-cache hits over lookups in the measured window (Concord only). */
  entityCacheHitRatio?: number;
  /** Why there are no figures (the gateway did not start, or refused the query). */
  error?: string;
  /** Open-loop windows after the closed-loop one (--open-loop RATES): a set arrival rate each. */
  openLoop?: Array<{ rate: number; load: LoadResult; subgraphRequestsPerOp: number; lingers: { filled: number; ranOut: number } }>;
}

export interface BenchRun {
  startedAt: Date;
  command: string;
  settings: Record<string, string | number>;
  machine: string;
  queries: BenchQuery[];
  measurements: Measurement[];
  notes: string[];
}

const fixed = (value: number | undefined, digits = 1) => (value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));
const mib = (bytes: number | undefined) => (bytes === undefined ? '—' : (bytes / 1024 / 1024).toFixed(0));

export function resultsTable(run: BenchRun): string {
  const lines = [
    '| query | gateway | req/s | p50 ms | p99 ms | p99.9 ms | RSS MiB (peak) | gateway CPU ms/op | gateway CPU % | subgraph req/op | subgraph CPU ms/op | source req/op | entity cache hits | non-200 / GraphQL errors | same data |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---:|',
  ];
  for (const m of run.measurements) {
    const label = `${CONTENDERS[m.contender].label}${m.round === undefined ? '' : `, round ${m.round}`}`;
    if (m.error || !m.load) {
      lines.push(`| ${m.query} | ${label} | — | — | — | — | — | — | — | — | — | — | — | ${m.error ? `failed: ${m.error.split('\n')[0].slice(0, 120)}` : '—'} | — |`);
      continue;
    }
    const l = m.load;
    lines.push(
      `| ${m.query} | ${label} | ${fixed(l.requestsPerSec, 0)} | ${fixed(l.p50Ms)} | ${fixed(l.p99Ms)} | ${fixed(l.p999Ms)} | ${mib(m.rssPeakBytes)} | ${fixed(m.gatewayCpuMsPerOp, 2)} | ${fixed(m.gatewayCpuShare === undefined ? undefined : m.gatewayCpuShare * 100, 0)} | ${fixed(m.subgraphRequestsPerOp, 2)} | ${fixed(m.subgraphCpuMsPerOp, 1)} | ${fixed(m.sourceRequestsPerOp, 1)} | ${m.entityCacheHitRatio === undefined ? '—' : `${(100 * m.entityCacheHitRatio).toFixed(0)}%`} | ${l.non200 + l.socketErrors} / ${l.graphqlErrors} | ${m.sameAnswer === undefined ? '—' : m.sameAnswer ? 'yes' : 'NO'} |`,
    );
  }
  return lines.join('\n');
}

/** Concord variant / peer pairs the ratio table gives, when both were measured. */
const RATIO_PAIRS: ReadonlyArray<[ContenderName, ContenderName]> = [
  ['concord', 'apollo'],
  ['concord', 'hive'],
  ['concord-auth', 'apollo'],
  ['concord-auth', 'hive'],
  // Both without deduplication: the rest of the request path, like for like.
  ['concord-nodedupe', 'apollo'],
  // Merging concurrent entity fetches against the same gateway without it.
  ['concord', 'concord-nobatch'],
  ['concord-nobatch', 'apollo'],
  // Holding a merged call back for the callers of the last one (ADR 0021) against merging without it.
  ['concord', 'concord-nolinger'],
  ['concord-nolinger', 'apollo'],
  // The gateway's own heap settings against V8's defaults.
  ['concord', 'concord-v8heap'],
  ['concord-v8heap', 'apollo'],
];

/** What the ratio table compares, in its column order. */
const RATIO_COLUMNS: ReadonlyArray<(m: Measurement) => number | undefined> = [
  (m) => m.load?.requestsPerSec,
  (m) => m.load?.p50Ms,
  (m) => m.load?.p99Ms,
  (m) => m.rssPeakBytes,
  (m) => m.gatewayCpuMsPerOp,
  (m) => m.subgraphRequestsPerOp,
  (m) => m.subgraphCpuMsPerOp,
];

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Concord/peer for each query: throughput above 1 is better for Concord;
 * latency, memory and subgraph calls below 1. With several rounds, a row per
 * round (each gateway against the peer's window of the same round) and one
 * with the median of those rounds' ratios, column by column.
 */
export function ratioTable(run: BenchRun): string {
  const lines = [
    '| query | Concord variant / peer | req/s | p50 | p99 | RSS | gateway CPU/op | subgraph req/op | subgraph CPU/op |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const find = (query: string, contender: ContenderName, round: number | undefined) =>
    run.measurements.find((m) => m.query === query && m.contender === contender && m.round === round && m.load);
  const ratioOf = (a: number | undefined, b: number | undefined) => (a === undefined || b === undefined || b === 0 ? undefined : a / b);
  const cell = (value: number | undefined) => (value === undefined ? '—' : `${value.toFixed(2)}×`);
  const rounds = [...new Set(run.measurements.map((m) => m.round))].sort((a, b) => (a ?? 0) - (b ?? 0));
  for (const query of run.queries) {
    for (const [ours, peer] of RATIO_PAIRS) {
      const perRound: Array<Array<number | undefined>> = [];
      for (const round of rounds) {
        const a = find(query.name, ours, round);
        const b = find(query.name, peer, round);
        if (!a || !b) continue;
        const ratios = RATIO_COLUMNS.map((column) => ratioOf(column(a), column(b)));
        perRound.push(ratios);
        lines.push(`| ${query.name} | ${ours} / ${peer}${round === undefined ? '' : `, round ${round}`} | ${ratios.map(cell).join(' | ')} |`);
      }
      if (perRound.length > 1) {
        const medians = RATIO_COLUMNS.map((_, i) => median(perRound.flatMap((ratios) => (ratios[i] === undefined ? [] : [ratios[i]!]))));
        lines.push(`| ${query.name} | **${ours} / ${peer}, median of ${perRound.length} rounds** | ${medians.map(cell).join(' | ')} |`);
      }
    }
  }
  return lines.join('\n');
}

/** The open-loop windows, if any: latency at a set arrival rate (no client waits for its answer before the next leaves). */
export function openLoopTable(run: BenchRun): string {
  const rows = run.measurements.flatMap((m) => (m.openLoop ?? []).map((o) => ({ m, o })));
  if (rows.length === 0) return '';
  const lines = [
    '## Open loop (requests at a set average rate, latency from when each was due)',
    '',
    '| query | gateway | offered req/s | answered req/s | p50 ms | p90 ms | p99 ms | p99.9 ms | subgraph req/op | lingers filled / ran out | non-200 / GraphQL errors / socket errors |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const { m, o } of rows) {
    const l = o.load;
    lines.push(`| ${m.query} | ${CONTENDERS[m.contender].label} | ${o.rate} | ${fixed(l.requestsPerSec, 0)} | ${fixed(l.p50Ms)} | ${fixed(l.p90Ms)} | ${fixed(l.p99Ms)} | ${fixed(l.p999Ms)} | ${fixed(o.subgraphRequestsPerOp, 2)} | ${o.lingers.filled} / ${o.lingers.ranOut} | ${l.non200} / ${l.graphqlErrors} / ${l.socketErrors} |`);
  }
  return `${lines.join('\n')}\n\n`;
}

export function renderMarkdown(run: BenchRun): string {
  const settings = Object.entries(run.settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return `# Gateway benchmark, ${run.startedAt.toISOString()}

Command: \`${run.command}\`

Settings: ${settings}

Machine: ${run.machine}

Queries:
${run.queries.map((q) => `- **${q.name}**: ${q.description}`).join('\n')}

Gateways: ${Object.values(CONTENDERS)
    .map((c) => `${c.name} = ${c.label}${c.supergraph === 'stripped' ? ' (supergraph without @authenticated/@requiresScopes)' : ''}${c.bearer ? ' (bearer token of demo-admin on every request)' : ''}`)
    .join('; ')}.

## Results

${resultsTable(run)}

## Ratios (Concord / peer)

Throughput above 1× and latency, memory and subgraph calls below 1× favour Concord.

${ratioTable(run)}

${openLoopTable(run)}## Notes

${run.notes.map((n) => `- ${n}`).join('\n')}
`;
}
