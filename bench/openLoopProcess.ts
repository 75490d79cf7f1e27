/**
 * Open-loop load: requests leave at a set average rate (exponential gaps, as
 * independent users send them) whether or not earlier ones were answered,
 * and each latency runs from when its request was due, not when it could
 * go (no coordinated omission). wrk's closed loop shows what a gateway does
 * when every client waits for its answer; this shows what a fixed amount of
 * traffic costs in latency, where holding a call back for callers who never
 * come back would show.
 *
 *   node --import tsx bench/openLoopProcess.ts --url URL --bodies FILE --rate 300 --duration 20 [--connections 256]
 *
 * FILE is a JSON array of request bodies sent in turn. Prints one JSON line
 * (bench/gatewayLoad.ts's LoadResult).
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { LoadResult } from './gatewayLoad.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    bodies: { type: 'string' },
    rate: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string', default: '256' },
    headers: { type: 'string', default: '{}' },
  },
});
if (!values.url || !values.bodies || !values.rate || !values.duration) {
  throw new Error('usage: openLoopProcess.ts --url URL --bodies FILE --rate N --duration SEC [--connections N] [--headers JSON]');
}
const url = new URL(values.url);
const rate = Number(values.rate);
const durationMs = Number(values.duration) * 1000;
const bodies = JSON.parse(await readFile(values.bodies, 'utf8')) as string[];
const headers = { 'content-type': 'application/json', ...(JSON.parse(values.headers!) as Record<string, string>) };
const pool = new Pool(url.origin, { connections: Number(values.connections) });

const latencies: number[] = [];
let non200 = 0;
let graphqlErrors = 0;
let socketErrors = 0;
let firstError: string | undefined;
let next = 0;

async function send(due: number): Promise<void> {
  const body = bodies[next++ % bodies.length];
  try {
    const response = await pool.request({ path: url.pathname, method: 'POST', headers, body });
    const text = await response.body.text();
    latencies.push(performance.now() - due);
    const failed = response.statusCode !== 200 || text.includes('"errors"');
    if (response.statusCode !== 200) non200++;
    else if (failed) graphqlErrors++;
    if (failed && !firstError) {
      const from = Math.max(0, text.indexOf('"errors"'));
      firstError = `${response.statusCode} ${text.slice(from, from + 400)}`;
    }
  } catch (error) {
    socketErrors++;
    firstError ??= String(error);
  }
}

const started = performance.now();
const end = started + durationMs;
const inFlight = new Set<Promise<void>>();
let due = started;
// Timers tick at ~1 ms; everything due by then leaves at that tick, timed from when it was due.
while (due < end) {
  const now = performance.now();
  while (due <= now && due < end) {
    const request = send(due);
    inFlight.add(request);
    void request.finally(() => inFlight.delete(request));
    due += -Math.log(1 - Math.random()) * (1000 / rate);
  }
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Math.min(5, due - performance.now()))));
}
await Promise.all(inFlight);
const elapsedSec = (performance.now() - started) / 1000;
await pool.close();

latencies.sort((a, b) => a - b);
const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
const result: LoadResult = {
  requests: latencies.length,
  durationSec: elapsedSec,
  requestsPerSec: latencies.length / elapsedSec,
  p50Ms: at(0.5),
  p90Ms: at(0.9),
  p99Ms: at(0.99),
  p999Ms: at(0.999),
  maxMs: latencies.at(-1) ?? 0,
  non200,
  graphqlErrors,
  socketErrors,
  ...(firstError ? { firstError } : {}),
};
console.log(JSON.stringify(result));
