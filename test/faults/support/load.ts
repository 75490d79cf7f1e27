import { Agent, request } from 'undici';

/** One answered (or failed) request of a load run. */
export interface Outcome {
  /** Sent as x-request-id: the gateway's audit records carry it. */
  requestId: string;
  startedAt: number;
  endedAt: number;
  status: number;
  /** extensions.code of each error, in order. */
  codes: string[];
  /** `code/reason` of each error (reason: the extensions' reason, e.g. timeout, circuit_open), for failure messages. */
  reasons: string[];
  /** The first error's message, for failure messages. */
  firstMessage?: string;
  data: any;
  /** The request failed without an HTTP answer (connection refused, client timeout). */
  transportError?: string;
}

export interface LoadReport {
  outcomes: Outcome[];
  /** The most requests that were waiting for their answer at once (client side). */
  maxInFlight: number;
}

/**
 * An open-loop load: `ratePerSecond` requests started on schedule whatever
 * the answers do — the shape of real traffic, under which a hung dependency
 * piles up work (a closed loop of N workers would hide that: it never has
 * more than N in flight). Each request has a client-side cap so the run ends.
 */
export async function runOpenLoad(options: {
  url: string;
  query: string;
  variables: () => Record<string, unknown>;
  headers: Record<string, string>;
  ratePerSecond: number;
  durationMs: number;
  clientTimeoutMs?: number;
}): Promise<LoadReport> {
  const agent = new Agent({ connections: 512, pipelining: 1, keepAliveTimeout: 10_000 });
  const outcomes: Outcome[] = [];
  const pending: Promise<void>[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const started = Date.now();
  const interval = 1000 / options.ratePerSecond;
  for (let i = 0; ; i++) {
    const due = started + i * interval;
    if (due - started >= options.durationMs) break;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    pending.push(
      sendOne(agent, options).then((outcome) => {
        inFlight--;
        outcomes.push(outcome);
      }),
    );
  }
  await Promise.all(pending);
  await agent.close();
  return { outcomes: outcomes.sort((a, b) => a.startedAt - b.startedAt), maxInFlight };
}

let sequence = 0;
const runId = `${process.pid}-${Date.now().toString(36)}`;

async function sendOne(agent: Agent, options: Parameters<typeof runOpenLoad>[0]): Promise<Outcome> {
  const startedAt = Date.now();
  const requestId = `load-${runId}-${sequence++}`;
  try {
    const response = await request(options.url, {
      dispatcher: agent,
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': requestId, ...options.headers },
      body: JSON.stringify({ query: options.query, variables: options.variables() }),
      signal: AbortSignal.timeout(options.clientTimeoutMs ?? 60_000),
    });
    const text = await response.body.text();
    let body: any;
    try {
      body = JSON.parse(text);
    } catch {
      body = {};
    }
    const errors = (Array.isArray(body.errors) ? body.errors : []) as Array<{ message?: string; extensions?: { code?: string; reason?: string } }>;
    const codes = errors.map((e) => e.extensions?.code ?? 'NONE');
    const reasons = errors.map((e) => `${e.extensions?.code ?? 'NONE'}/${e.extensions?.reason ?? ''}`);
    return { requestId, startedAt, endedAt: Date.now(), status: response.statusCode, codes, reasons, firstMessage: errors[0]?.message, data: body.data };
  } catch (error) {
    return { requestId, startedAt, endedAt: Date.now(), status: 0, codes: [], reasons: [], data: undefined, transportError: (error as Error).message };
  }
}

/** The longest stretch of time within [from, to] in which no answer arrived. */
export function longestSilenceMs(outcomes: Outcome[], from: number, to: number): number {
  const ends = outcomes.map((o) => o.endedAt).filter((t) => t >= from && t <= to).sort((a, b) => a - b);
  let longest = 0;
  let previous = from;
  for (const end of ends) {
    longest = Math.max(longest, end - previous);
    previous = end;
  }
  return Math.max(longest, to - previous);
}

/** Percentile (0–100) of the answer times, in ms. */
export function percentileMs(outcomes: Outcome[], p: number): number {
  const times = outcomes.map((o) => o.endedAt - o.startedAt).sort((a, b) => a - b);
  if (times.length === 0) return 0;
  return times[Math.min(times.length - 1, Math.floor((p / 100) * times.length))];
}

/** The most events any window of `windowMs` holds. */
export function busiestWindow(times: number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while (sorted[i] - sorted[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** Counts of each `code/reason` over the outcomes. */
export function reasonCounts(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) for (const reason of outcome.reasons) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

/** For each first `code/reason` of an answer, the message of one such answer (what a failure message should show). */
export function sampleMessages(outcomes: Outcome[]): Record<string, string> {
  const samples: Record<string, string> = {};
  for (const outcome of outcomes) {
    const reason = outcome.reasons[0];
    if (reason !== undefined && !(reason in samples)) samples[reason] = `${outcome.firstMessage} (${outcome.endedAt - outcome.startedAt} ms)`;
  }
  return samples;
}

/** Counts of each error code over the outcomes. */
export function codeCounts(outcomes: Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const outcome of outcomes) for (const code of outcome.codes) counts[code] = (counts[code] ?? 0) + 1;
  return counts;
}
