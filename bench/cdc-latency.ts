/**
 * Live master data, measured: ERP commit → golden record visible through the
 * gateway, p50/p99, at a sustained rate of changes per second, and a burst
 * of N changes in one transaction (time until all are applied).
 *
 *   npx tsx bench/cdc-latency.ts --target server --rate 50 --seconds 60
 *   npx tsx bench/cdc-latency.ts --target server --rate 500 --seconds 60
 *   npx tsx bench/cdc-latency.ts --target pglite --rate 50 --seconds 60
 *   npx tsx bench/cdc-latency.ts --target server --burst 10000
 *
 * `server`: a database of its own on the PostgreSQL server (TEST_PG_URL,
 * default 127.0.0.1:5432), logical replication, NATS JetStream (NATS_URL,
 * default 127.0.0.1:4222, a namespace of its own, removed after). `pglite`:
 * the embedded default, watermark polling, in-process broker — `npm start`.
 * Each change inserts a new company; its latency ends when `customer(id)`
 * through the gateway answers with it (the pipeline's golden-change feed says
 * which master to ask for). Prints figures and the machine's load averages.
 *
 * The gateway is asked about an even sample of the changes (`--sample N`:
 * every Nth change; default: ten a second): the bench's pollers run in the
 * stack's own process, and asking about each of 500 changes a second took
 * about half of that process's CPU (measured with --cpu-prof), which a
 * deployed pipeline does not share with its clients. Every change's commit →
 * golden event (applied, committed, announced) is measured too. The rate
 * runs `--warmup S` seconds (default 10) before the measured seconds, not
 * counted: a fresh stack's first seconds (JIT, the benchmark's look-alike
 * companies all compared with each other until their block outgrows its
 * cap) are not the sustained rate.
 */
import os from 'node:os';
import pg from 'pg';
import { startStack } from '../stack/startStack.js';
import { loadStackConfig } from '../stack/config.js';
import { loadDemoIssuer } from '../gateway/auth/demoIssuer.js';
import { createJetStreamBroker } from '../events/broker/jetstream.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { jetStreamNames } from '../events/broker/jetstream.js';
import type { GoldenChangeFeed } from '../platform/events/changeEvents.js';
import { natsGoldenChangeFeed } from '../platform/events/natsGoldenChangeFeed.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const target = opt('target', 'pglite') as 'pglite' | 'server';
const rate = Number(opt('rate', '50'));
const seconds = Number(opt('seconds', '60'));
const burst = Number(opt('burst', '0'));
const drainSeconds = Number(opt('drain', '120'));
const sampleEvery = Number(opt('sample', String(Math.max(1, Math.ceil(rate / 10)))));
const warmupSeconds = Number(opt('warmup', '10'));
// server: the event pipeline in a process of its own, as docker-compose deploys it (`events`), unless --in-process.
const eventsProcess = target === 'server' && !args.includes('--in-process');

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] : NaN);

async function main(): Promise<void> {
  const loadBefore = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const keyDir = await mkdtemp(path.join(tmpdir(), 'concord-bench-cdc-'));
  const namespace = `bench${process.pid}`;
  let databaseUrl: string | undefined;
  let dbName: string | undefined;
  const adminUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  if (target === 'server') {
    dbName = `concord_bench_cdc_${process.pid}`;
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
    const url = new URL(adminUrl);
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  }
  const env: Record<string, string> = { LOG_LEVEL: 'silent', DEMO_ISSUER_KEY_FILE: path.join(keyDir, 'issuer.json') };
  // CDC_CONSUMER_BATCH=1 measures one change per transaction (the consumer before batching).
  if (process.env.CDC_CONSUMER_BATCH) env.CDC_CONSUMER_BATCH = process.env.CDC_CONSUMER_BATCH;
  if (target === 'server') Object.assign(env, { NATS_URL: natsUrl, CDC_NATS_NAMESPACE: namespace, CDC_PUBLICATION: `pub_${namespace}`, CDC_SLOT: `slot_${namespace}` });
  const base = loadStackConfig(eventsProcess ? { ...env, CONCORD_LIVE_CHANGES: 'false' } : env);
  const stack = await startStack({
    ...base, databaseUrl, registry: false,
    ports: { gateway: 0, erp: 0, crm: 0, mdm: 0, quality: 0, crmSandbox: 0, registry: 0, pglite: 0, crmWebhooks: 0 },
    seed: { seed: 42, companies: 200 },
    registrySettings: { ...base.registrySettings, tokensFile: undefined },
  });
  const auth = base.gateway.security.auth;
  const issuer = await loadDemoIssuer({ keyFile: env.DEMO_ISSUER_KEY_FILE, ...(auth.mode === 'demo' ? { issuer: auth.issuer, audience: auth.audience } : {}) });
  const token = await issuer.issueToken({ user: 'demo-admin', ttl: '2h' });
  const writer = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  // The deployed shape: events/main.ts captures and applies; golden changes reach the gateway (and the bench) over NATS.
  let events: ChildProcess | undefined;
  let goldenFeed: GoldenChangeFeed;
  if (eventsProcess) {
    events = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'events', 'main.ts')], {
      cwd: root, stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env, DATABASE_URL: stack.databaseUrl, CDC_ERP_MODE: 'logical-replication', LOG_LEVEL: 'warn' },
    });
    await new Promise<void>((resolve, reject) => {
      events!.stdout!.on('data', (data: Buffer) => { if (data.toString().includes('events ready')) resolve(); });
      events!.once('exit', (code, signal) => reject(new Error(`events process exited (${code ?? signal}) before it was ready`)));
    });
    goldenFeed = await natsGoldenChangeFeed({ servers: natsUrl, name: 'bench-cdc-golden', subjectPrefix: jetStreamNames(namespace).goldenPrefix });
    // The gateway's entity cache follows them, as gateway/main.ts does with NATS_URL.
    goldenFeed.subscribe((change) => stack.goldenChanges.publish(change));
  } else {
    goldenFeed = stack.pipeline!.goldenFeed;
  }

  const committedAt = new Map<string, number>(); // partner id -> commit time
  const latencies: number[] = [];
  // Commit → golden-change event, for every change (the gateway's latencies are a sample above 50/s).
  const announced: number[] = [];
  // [commit time, commit → golden event] of every change: the figures per 10 s of the run show a tail's when.
  const timeline: [number, number][] = [];
  const sampled = new Set<string>();
  const pending = new Set<Promise<void>>();
  // The pollers' own connections, bounded: hundreds of sockets a second would measure the kernel, not the gateway.
  const pollers = new Agent({ connections: 32 });
  // Polled until the golden record lists the ERP record, or the run's drain ends (slower counts as not visible).
  let visibleUntil = Number.POSITIVE_INFINITY;
  let gatewayErrors = 0;
  let gatewayAsked = 0;
  const visible = async (masterId: string, sourceId: string): Promise<boolean> => {
    while (Date.now() < visibleUntil) {
      try {
        gatewayAsked++;
        const response = await request(stack.gatewayUrl, {
          dispatcher: pollers,
          method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: 'query($id: ID!) { customer(id: $id) { sources { system sourceId } } }', variables: { id: masterId } }),
        });
        const body = await response.body.json() as any;
        if ((body.data?.customer?.sources as any[] | undefined)?.some((x) => x.system === 'ERP' && x.sourceId === sourceId)) return true;
      } catch (error) {
        // A gateway too busy to answer (connection refused or reset under the load): ask again.
        gatewayErrors++;
        await new Promise((r) => setTimeout(r, 100));
      }
      await new Promise((r) => setTimeout(r, 10));
    }
    return false;
  };
  // The change's golden record: a new one (created), or the one it joined (updated or merged: the
  // benchmark's companies all look alike, so some match one another).
  goldenFeed.subscribe((event) => {
    if (event.kind === 'deleted' || event.kind === 'split' || event.cause.system !== 'ERP' || !event.cause.sourceId) return;
    const sourceId = event.cause.sourceId;
    const started = committedAt.get(sourceId);
    if (started === undefined) return;
    committedAt.delete(sourceId);
    announced.push(Date.now() - started);
    timeline.push([started, Date.now() - started]);
    if (!sampled.has(sourceId)) return;
    const p = visible(event.masterId, sourceId).then((seen) => { if (seen) latencies.push(Date.now() - started); });
    pending.add(p);
    void p.finally(() => pending.delete(p));
  });

  let sent = 0;
  let summary: string;
  if (burst > 0) {
    const started = Date.now();
    const client = await writer.connect();
    await client.query('BEGIN');
    const { rows } = await client.query(
      `INSERT INTO erp.res_partner (name, city, is_company, customer_rank) SELECT 'Burst Trading ' || g, 'Leeds', true, 1 FROM generate_series(1, $1) g RETURNING id`, [burst]);
    await client.query('COMMIT');
    client.release();
    const committed = Date.now();
    const ids = rows.map((r) => String(r.id));
    let applied = 0;
    const deadline = committed + drainSeconds * 1000;
    while (Date.now() < deadline) {
      applied = (await writer.query(`SELECT count(*)::int AS n FROM mdm.xref WHERE entity_type = 'customer' AND system = 'erp' AND source_id = ANY($1::text[])`, [ids])).rows[0].n;
      if (applied >= burst) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const done = Date.now();
    summary = `burst of ${burst} changes in one transaction (${target}): insert+commit ${committed - started} ms; ${applied}/${burst} applied ${((done - committed) / 1000).toFixed(1)} s after the commit (${(applied / ((done - committed) / 1000)).toFixed(0)} changes/s)`;
  } else {
    const started = Date.now();
    const interval = 1000 / rate;
    // The same rate for the warm-up first, not measured; the measured seconds follow without a pause.
    const measuredFrom = started + warmupSeconds * 1000;
    let written = 0;
    // Ids of the bench's own, so a change's clock starts before its INSERT is sent (a few ms early: conservative).
    const firstId = Number((await writer.query(`SELECT max(id) + 1000 AS id FROM erp.res_partner`)).rows[0].id);
    while (Date.now() - started < (warmupSeconds + seconds) * 1000) {
      const due = started + written * interval;
      if (Date.now() < due) await new Promise((r) => setTimeout(r, due - Date.now()));
      const id = firstId + written++;
      if (Date.now() >= measuredFrom) {
        sent++;
        committedAt.set(String(id), Date.now());
        if (sent % sampleEvery === 1 || sampleEvery === 1) sampled.add(String(id));
      }
      void writer.query(`INSERT INTO erp.res_partner (id, name, city, is_company, customer_rank) VALUES ($1, $2, 'Leeds', true, 1)`, [id, `Benchmark Trading ${id}`])
        .catch((error) => console.error(`insert ${id}: ${(error as Error).message}`));
    }
    const sendSeconds = (Date.now() - measuredFrom) / 1000;
    const deadline = Date.now() + drainSeconds * 1000;
    visibleUntil = deadline;
    while ((latencies.length < sampled.size || announced.length < sent) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    await Promise.allSettled([...pending]);
    // A change never seen within the run + drain counts as slower than every one seen: the
    // percentiles are over every change sent, and one that falls among the missing is printed as such.
    const sorted = [...latencies].sort((a, b) => a - b);
    const all = [...sorted, ...Array(Math.max(0, sampled.size - sorted.length)).fill(Infinity)];
    const show = (ms: number) => (Number.isFinite(ms) ? `${ms} ms` : `> ${seconds + drainSeconds} s (not visible by the end)`);
    const events = [...announced].sort((a, b) => a - b);
    const everyChange = [...events, ...Array(Math.max(0, sent - events.length)).fill(Infinity)];
    summary = `${rate} changes/s for ${seconds} s (${target}), after ${warmupSeconds} s at that rate not measured: ${sent} sent in ${sendSeconds.toFixed(1)} s; `
      + `${sampleEvery === 1 ? 'every change' : `every ${sampleEvery}th change (${sampled.size})`} asked through the gateway, ${sorted.length} visible within the run + ${drainSeconds} s; `
      + `commit → visible p50 ${show(percentile(all, 50))}, p99 ${show(percentile(all, 99))}, max ${show(all.at(-1) ?? NaN)}\n`
      + `every change, commit → golden event (applied and announced): ${events.length} of ${sent}; p50 ${show(percentile(everyChange, 50))}, p99 ${show(percentile(everyChange, 99))}, max ${show(everyChange.at(-1) ?? NaN)}\n`
      + `per 10 s of the run (commit → golden event p50/p99/max, ms): ${[...Array(Math.ceil(seconds / 10)).keys()].map((w) => {
        const window = timeline.filter(([at]) => at >= measuredFrom + w * 10_000 && at < measuredFrom + (w + 1) * 10_000).map(([, ms]) => ms).sort((a, b) => a - b);
        return `${w * 10}-${w * 10 + 10} s ${percentile(window, 50)}/${percentile(window, 99)}/${window.at(-1) ?? NaN}`;
      }).join(', ')}`;
  }
  const loadAfter = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  const consumer = stack.pipeline ? (await stack.pipeline.status()).consumer : undefined;
  console.log(summary);
  console.log(`gateway requests by the bench's pollers: ${gatewayAsked} for ${sampled.size} changes asked about`);
  if (gatewayErrors > 0) console.log(`gateway requests that failed and were asked again: ${gatewayErrors}`);
  if (consumer) console.log(`consumer (CDC_CONSUMER_BATCH=${base.events.consumerBatch}): ${consumer.batchedChanges} changes in ${consumer.batches} transactions (mean ${(consumer.batchedChanges / Math.max(1, consumer.batches)).toFixed(1)} per transaction)`);
  console.log(`machine: ${os.cpus().length} cores; load averages (1/5/15 min) before ${loadBefore}, after ${loadAfter}`);
  if (eventsProcess) console.log('topology: the event pipeline in its own process (events/main.ts, as docker-compose runs it); gateway, subgraphs and this bench in another');
  if (eventsProcess) await goldenFeed.close();
  if (events) {
    events.kill('SIGTERM');
    await new Promise((r) => events!.once('exit', r));
  }
  await writer.end();
  await pollers.close();
  await stack.stop();
  if (target === 'server') {
    const broker = await createJetStreamBroker({ servers: natsUrl, namespace, maxDeliveries: 1 });
    await broker.deleteStreams();
    await broker.close();
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`, [`slot_${namespace}`]);
    await new Promise((r) => setTimeout(r, 500));
    await admin.query(`SELECT pg_drop_replication_slot($1)`, [`slot_${namespace}`]).catch(() => {});
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
  await rm(keyDir, { recursive: true, force: true });
  process.exit(0);
}

await main();
