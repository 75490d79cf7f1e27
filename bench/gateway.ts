/**
 * Concord's gateway side by side with the stock @apollo/gateway and Hive
 * Gateway, on the same subgraphs, supergraph and queries (DESIGN.md,
 * Performance). Boots the subgraphs once (bench/gatewaySubgraphs.ts: the
 * stack without its gateway, PGlite, the default demo seed), then
 * starts each gateway as its own process pinned to one core, loads it with wrk
 * pinned to the other, and reports throughput, p50/p99, peak RSS and the
 * requests the subgraphs received per operation.
 *
 *   npx tsx bench/gateway.ts [--warmup 10] [--duration 20] [--connections 16]
 *     [--gateways concord,concord-auth,concord-nodedupe,apollo,hive]
 *     [--queries customer360,customerList,deepList,customer360EachCold,customer360EachWarm]
 *     [--companies 2000] [--gateway-cpus 0] [--load-cpus 1] [--max-cost N] [--profile concord,concord-auth] [--profile-subgraphs] [--out FILE]
 *     [--concord-node-flags=--max-old-space-size=160] [--pglite-thread worker|caller] [--open-loop 150,300] [--heap-between-windows collected|kept]
 *     [--subgraph-heap shipped|v8-default] [--rounds 3]
 *
 * Hive Gateway lives in bench/peers: flock /tmp/concord-npm.lock npm install --prefix bench/peers
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, Server } from 'node:http';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import os from 'node:os';
import path from 'node:path';
import { constants as perfConstants, performance, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import vm from 'node:vm';
import { loadStackConfig } from '../stack/config.js';
import { SUBGRAPH_NODE_FLAGS } from '../platform/subgraphHeapSettings.js';
import { composedSupergraphSource } from '../gateway/supergraph/source.js';
import { stripAuthorizationDirectives } from '../gateway/authorization/index.js';
import { loadDemoIssuer, scopesOfDemoUser } from '../gateway/auth/index.js';
import { GATEWAY_PROOF_HEADER, loadGatewayProofKey, signGatewayProof } from '../platform/auth/gatewayProof.js';
import { runOpenLoop, runWrk, writeWrkScript } from './gatewayLoad.js';
import { CONTENDERS, CONTENDER_NAMES, ROOT, startContender, type ContenderName, type RunningContender } from './gatewayPeers.js';
import { summariseCpuProfile } from './gatewayProfile.js';
import { startBenchSubgraphs } from './gatewaySubgraphs.js';
import { benchQueries, type BenchQuery } from './gatewayQueries.js';
import { renderMarkdown, resultsTable, ratioTable, type BenchRun, type Measurement } from './gatewayReport.js';

const TMP = path.join(ROOT, 'bench/results/tmp');
/** Checks of a gateway's first answer before it counts as failed: a source's breaker half-opens after seconds. */
const PROBE_RETRIES = 15;
const log = (line: string) => console.error(`[bench] ${line}`);

const { values } = parseArgs({
  options: {
    warmup: { type: 'string', default: '10' },
    duration: { type: 'string', default: '20' },
    connections: { type: 'string', default: '16' },
    gateways: { type: 'string', default: CONTENDER_NAMES.join(',') },
    queries: { type: 'string', default: 'customer360,customerList,deepList,customer360EachCold,customer360EachWarm' },
    companies: { type: 'string' },
    'gateway-cpus': { type: 'string', default: '0' },
    'load-cpus': { type: 'string', default: '1' },
    profile: { type: 'string' },
    'profile-subgraphs': { type: 'boolean', default: false },
    'max-cost': { type: 'string' },
    'concord-node-flags': { type: 'string' },
    'pglite-thread': { type: 'string', default: 'worker' },
    'open-loop': { type: 'string' },
    'heap-between-windows': { type: 'string', default: 'collected' },
    'subgraph-heap': { type: 'string', default: 'shipped' },
    rounds: { type: 'string', default: '1' },
    out: { type: 'string' },
  },
});
const warmupSec = Number(values.warmup);
const durationSec = Number(values.duration);
const connections = Number(values.connections);
const gateways = values.gateways!.split(',').map((g) => g.trim()) as ContenderName[];
for (const g of gateways) if (!CONTENDER_NAMES.includes(g)) throw new Error(`unknown gateway ${g}; one of ${CONTENDER_NAMES.join(', ')}`);
/**
 * --rounds N: the gateways measured N times over, every other round in reverse
 * order (A B C, C B A, …), so a pair's windows sit on both sides of each other
 * in time and a drift of the machine's speed over the run (bench/README.md:
 * each gateway's CPU per operation has swung 1.5× between runs an hour apart) weighs on both
 * alike; the ratios are given per round and as the median of the rounds.
 */
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds: a whole number of at least 1, not ${values.rounds}`);
const schedule = Array.from({ length: rounds }, (_, r) => (r % 2 === 0 ? gateways : [...gateways].reverse()).map((name) => ({ name, round: r + 1 }))).flat();
const gatewayCpus = values['gateway-cpus'] || undefined;
/** V8 flags for Concord's gateway processes only, e.g. "--max-old-space-size=160" (what a deployment would set). */
const concordNodeFlags = (values['concord-node-flags'] ?? '').split(/\s+/).filter(Boolean);
const loadCpus = values['load-cpus'] || undefined;
/** Where the bench's PGlite runs: its own thread as npm start runs it, or `caller` (the bench's thread, as before 2026-12-04). */
const pgliteThread = values['pglite-thread'] as 'worker' | 'caller';
if (pgliteThread !== 'worker' && pgliteThread !== 'caller') throw new Error(`--pglite-thread: worker or caller, not ${pgliteThread}`);
/** --open-loop 150,300: after each closed-loop window (cold-cache queries excepted), one open-loop window per arrival rate. */
const openLoopRates = (values['open-loop'] ?? '').split(',').filter(Boolean).map(Number);
for (const rate of openLoopRates) if (!(rate > 0)) throw new Error(`--open-loop: arrival rates in requests per second, not ${values['open-loop']}`);
/**
 * `collected`: a full GC of this process's main thread (the subgraphs, the CRM
 * stand-in) right before each measured window, so no contender's window pays
 * for the garbage the window before it left; `kept`: as before 2026-12-05.
 */
const heapBetweenWindows = values['heap-between-windows'] as 'collected' | 'kept';
if (heapBetweenWindows !== 'collected' && heapBetweenWindows !== 'kept') throw new Error(`--heap-between-windows: collected or kept, not ${heapBetweenWindows}`);
const collectGarbage = heapBetweenWindows === 'collected' ? exposedGc() : undefined;
/**
 * This process hosts the subgraphs, so it runs with the heap settings the
 * subgraph services are deployed with (`shipped`: SUBGRAPH_NODE_FLAGS, as in
 * docker-compose.yml) or with V8's own (`v8-default`, as before 2026-12-05).
 * V8 reads them at start, so the bench starts itself again under them.
 */
const subgraphHeap = values['subgraph-heap'] as 'shipped' | 'v8-default';
if (subgraphHeap !== 'shipped' && subgraphHeap !== 'v8-default') throw new Error(`--subgraph-heap: shipped or v8-default, not ${subgraphHeap}`);
const subgraphNodeFlags = subgraphHeap === 'shipped' ? SUBGRAPH_NODE_FLAGS : [];

/** V8's gc() without restarting under --expose-gc: the flag set at run time, the function taken from a fresh context. */
function exposedGc(): () => void {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
}

/** The full GCs (mark-compact) of this process's main thread that start after `reset()`, with their pauses. */
class FullGcRecorder {
  private since = performance.now();
  private pauses: Array<{ startTime: number; duration: number }> = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as Array<PerformanceEntry & { detail?: { kind?: number } }>) {
      if (entry.detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) this.pauses.push({ startTime: entry.startTime, duration: entry.duration });
    }
  });
  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }
  /** Entries arrive after the GC, so the forced collection before a window is told apart by its start time. */
  reset(): void {
    this.since = performance.now();
    this.pauses = [];
  }
  summary(): { count: number; longestMs: number; totalMs: number } {
    const inWindow = this.pauses.filter((p) => p.startTime >= this.since).map((p) => p.duration);
    return { count: inWindow.length, longestMs: Math.max(0, ...inWindow), totalMs: inWindow.reduce((a, b) => a + b, 0) };
  }
}

/** Counts HTTP requests arriving at the subgraph servers (this process), by port, without touching their code. */
class SubgraphRequestCounter {
  readonly counts = new Map<number, number>();
  constructor(readonly ports: Map<number, string>) {
    diagnostics.subscribe('http.server.request.start', (message) => {
      const { request, server } = message as { request: IncomingMessage; server: Server };
      const port = (server.address() as { port: number } | null)?.port;
      if (port !== undefined && this.ports.has(port) && request.method === 'POST') this.counts.set(port, (this.counts.get(port) ?? 0) + 1);
    });
  }
  reset(): void {
    this.counts.clear();
  }
  byName(): Record<string, number> {
    return Object.fromEntries([...this.ports].map(([port, name]) => [name, this.counts.get(port) ?? 0]));
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
}

function pinThisProcess(cpus: string): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', cpus, String(process.pid)], { stdio: 'ignore' });
  } catch {
    log(`could not pin the stack to CPUs ${cpus} (no taskset?)`);
  }
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; json: { data?: unknown; errors?: Array<{ message: string }> } | undefined; text: string }> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await response.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json, text };
}

/** One request per customer of the rotation, `connections` at a time: every measured customer is then in the cache. */
async function warmPass(url: string, rotation: NonNullable<BenchQuery['rotation']>, headers: Record<string, string>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < rotation.values.length) {
      const value = rotation.values[next++];
      await post(url, `${rotation.prefix}${value}${rotation.suffix}`, headers);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

/**
 * A CPU profile of this process (the subgraphs, the CRM stand-in, PGlite)
 * over one measured window only, through the inspector — `--cpu-prof` would
 * mix in the seed and the MDM load.
 */
async function startInspectorProfile(): Promise<{ stop(file: string): Promise<void> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop(file) {
      const { profile } = await session.post('Profiler.stop');
      await writeFile(file, JSON.stringify(profile));
      session.disconnect();
    },
  };
}

/** The gateway's entity-cache lookups and merged-call lingers so far (Concord's /metrics; zero for peers). */
async function gatewayCounters(graphqlUrl: string): Promise<{ hit: number; miss: number; filled: number; 'ran-out': number }> {
  const totals = { hit: 0, miss: 0, filled: 0, 'ran-out': 0 };
  try {
    const response = await fetch(new URL('/metrics', graphqlUrl));
    if (!response.ok) return totals;
    for (const line of (await response.text()).split('\n')) {
      const lookup = /^concord_gateway_entity_cache_lookups_total\{[^}]*result="(hit|miss)"[^}]*\} (\d+(?:\.\d+)?)/.exec(line);
      if (lookup) totals[lookup[1] as 'hit' | 'miss'] += Number(lookup[2]);
      const linger = /^concord_gateway_subgraph_entity_call_lingers_total\{[^}]*outcome="(filled|ran-out)"[^}]*\} (\d+(?:\.\d+)?)/.exec(line);
      if (linger) totals[linger[1] as 'filled' | 'ran-out'] += Number(linger[2]);
    }
  } catch {
    // Peers have no /metrics of this shape.
  }
  return totals;
}

async function main(): Promise<void> {
  await mkdir(TMP, { recursive: true });
  const startedAt = new Date();
  const loadAtStart = os.loadavg().map((l) => l.toFixed(2)).join(' ');

  // One proof secret for the stack's subgraphs, Concord as shipped, and the long-lived proof handed to the peers.
  // CONCORD_GATEWAY_PROOF_SECRET is what the subgraphs and the gateway read (readGatewayProofSettings).
  process.env.CONCORD_GATEWAY_PROOF_SECRET ??= process.env.GATEWAY_PROOF_SECRET ?? randomBytes(32).toString('hex');
  const proofSecret = process.env.CONCORD_GATEWAY_PROOF_SECRET;
  const demoKeyFile = path.join(TMP, 'demo-issuer.json');
  process.env.DEMO_ISSUER_KEY_FILE ??= demoKeyFile;

  const base = loadStackConfig(process.env);
  const companies = values.companies ? Number(values.companies) : base.seed.companies;
  const proofKey = (await loadGatewayProofKey({ CONCORD_GATEWAY_PROOF_SECRET: proofSecret }, 'signer'))!;
  let sourceRequests = 0;
  log(`booting the subgraphs (${base.databaseUrl ? 'DATABASE_URL' : `PGlite on the ${pgliteThread} thread`}, ${companies} companies)…`);
  const stack = await startBenchSubgraphs(
    { ...base, seed: { seed: base.seed.seed, companies } },
    {
      gatewayProof: proofKey,
      pgliteThread,
      log,
      onSourceRequest: () => {
        sourceRequests++;
      },
    },
  );
  const running: RunningContender[] = [];
  const cleanup = async () => {
    for (const r of running) await r.stop().catch(() => {});
    await stack.stop();
  };
  process.once('SIGINT', () => void cleanup().finally(() => process.exit(130)));

  try {
    const { subgraphs } = stack;
    const erpUrl = subgraphs.find((s) => s.name === 'erp')!.url;
    const fullGcs = new FullGcRecorder();
    const counter = new SubgraphRequestCounter(new Map(subgraphs.map((s) => [Number(new URL(s.url).port), s.name])));

    // The peers' proof: long-lived (the whole run) with demo-admin's scopes, so subgraph field rules let everything through.
    const peerProof = await signGatewayProof({ subject: 'bench-peer-gateway', scopes: scopesOfDemoUser('demo-admin'), ttlSec: 6 * 3600 }, proofKey);
    const notes: string[] = [];
    const bare = await post(erpUrl, '{"query":"{ __typename }"}');
    const proved = await post(erpUrl, '{"query":"{ __typename }"}', { [GATEWAY_PROOF_HEADER]: peerProof });
    if (bare.status === 401 && proved.status !== 200) {
      throw new Error(`the subgraphs refuse the bench's gateway proof (${proved.status} ${proved.text.slice(0, 200)}); is the key the subgraphs were given the one the bench signed with?`);
    }
    notes.push(
      bare.status === 401
        ? `Subgraphs require ${GATEWAY_PROOF_HEADER}; the peers and "concord (no auth)" send one long-lived proof (demo-admin scopes) signed with the run's CONCORD_GATEWAY_PROOF_SECRET. Concord as shipped signs a fresh proof per request.`
        : `Subgraphs did not require ${GATEWAY_PROOF_HEADER} in this tree (auth wiring in progress); the peers still send one.`,
    );

    const supergraph = await composedSupergraphSource(subgraphs, {
      prepareHeaders: (_name, headers) => {
        headers[GATEWAY_PROOF_HEADER] = peerProof;
      },
    }).load();
    const files = { full: path.join(TMP, 'supergraph.graphql'), stripped: path.join(TMP, 'supergraph-stripped.graphql') };
    await writeFile(files.full, supergraph);
    await writeFile(files.stripped, stripAuthorizationDirectives(supergraph));

    const token = await (await loadDemoIssuer({ keyFile: process.env.DEMO_ISSUER_KEY_FILE })).issueToken({ user: 'demo-admin', ttl: '6h' });
    const queries = (await benchQueries(stack.pool)).filter((q) => values.queries!.split(',').includes(q.name));
    const scripts = new Map<string, string>();
    for (const q of queries) {
      for (const withBearer of [false, true]) {
        const headers: Record<string, string> = withBearer ? { Authorization: `Bearer ${token}` } : {};
        const file = path.join(TMP, `wrk-${q.name}${withBearer ? '-bearer' : ''}.lua`);
        await writeWrkScript(file, q.body, headers, q.rotation);
        scripts.set(`${q.name}:${withBearer}`, file);
        if (q.rotation) {
          const warmup = path.join(TMP, `wrk-${q.name}${withBearer ? '-bearer' : ''}-warmup.lua`);
          await writeWrkScript(warmup, q.body, headers, { ...q.rotation, values: q.rotation.warmupValues });
          scripts.set(`${q.name}:${withBearer}:warmup`, warmup);
        }
      }
    }

    if (loadCpus) pinThisProcess(loadCpus);
    const measurements: Measurement[] = [];
    const firstData = new Map<string, string>();

    for (const { name, round } of schedule) {
      const contender = CONTENDERS[name];
      /** The window's name in the notes: the gateway, and its round when there are several. */
      const who = rounds > 1 ? `${name} (round ${round})` : name;
      const profiling = (values.profile ?? '').split(',').includes(name);
      const profileDir = path.join(TMP, `profile-${name}`);
      if (profiling) await rm(profileDir, { recursive: true, force: true });
      log(`starting ${contender.label}…`);
      let gateway: RunningContender;
      const start = () => startContender(name, {
          supergraphFile: files[contender.supergraph],
          cpus: gatewayCpus,
          env: {
            BENCH_GATEWAY_PROOF: peerProof,
            CONCORD_GATEWAY_PROOF_SECRET: proofSecret,
            DEMO_ISSUER_KEY_FILE: process.env.DEMO_ISSUER_KEY_FILE!,
            // Concord as shipped records PII/finance reads in the database, as the stack does.
            AUDIT_DATABASE_URL: stack.databaseUrl,
            ...(values['max-cost'] ? { LIMIT_MAX_COST: values['max-cost'] } : {}),
          },
          nodeFlags: [...(name.startsWith('concord') ? concordNodeFlags : []), ...(profiling ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])],
        });
      try {
        gateway = await start();
      } catch (error) {
        log(`${name} did not start: ${(error as Error).message}`);
        for (const q of queries) measurements.push({ contender: name, ...roundOf(round), query: q.name, error: `did not start: ${(error as Error).message}` });
        continue;
      }
      running.push(gateway);
      let answered = false;
      for (const q of queries) {
        if (q.cache === 'cold' && answered) {
          // A cold cache is a fresh process: whatever earlier queries cached is gone.
          await gateway.stop();
          running.splice(running.indexOf(gateway), 1);
          gateway = await start();
          running.push(gateway);
        }
        measurements.push({ ...(await measure(gateway, name, who, q)), ...roundOf(round) });
        answered = true;
      }
      await gateway.stop();
      running.splice(running.indexOf(gateway), 1);
      if (profiling) {
        const file = (await readdir(profileDir).catch(() => [] as string[])).find((f) => f.endsWith('.cpuprofile'));
        if (file) notes.push(`CPU profile of ${who} (whole process life, queries ${queries.map((q) => q.name).join(', ')}; self time):\n\n${summariseCpuProfile(path.join(profileDir, file))}`);
        else notes.push(`no CPU profile was written for ${who}`);
      }
    }

    /** A measurement's round, recorded only when there are several. */
    function roundOf(round: number): Pick<Measurement, 'round'> {
      return rounds > 1 ? { round } : {};
    }

    async function measure(gateway: RunningContender, name: ContenderName, who: string, q: BenchQuery): Promise<Measurement> {
      const headers: Record<string, string> = CONTENDERS[name].bearer ? { authorization: `Bearer ${token}` } : {};
      // A cold run's probe asks for a JIT warm-up customer, so the measured ones stay uncached.
      const probeBody = q.rotation ? `${q.rotation.prefix}${q.rotation.warmupValues[0]}${q.rotation.suffix}` : q.body;
      let probe = await post(gateway.url, probeBody, headers);
      // A window before that overloaded the subgraphs (an open loop past a peer's capacity) can leave a
      // source's breaker open for a few seconds; its first answers would fail this gateway's check.
      for (let retry = 1; retry <= PROBE_RETRIES && probe.status === 200 && probe.json?.errors?.length; retry++) {
        log(`${who} ${q.name}: the check answered with errors (${String(probe.json.errors[0]?.message).slice(0, 120)}); again in 1 s (${retry}/${PROBE_RETRIES})`);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        probe = await post(gateway.url, probeBody, headers);
      }
      if (probe.status !== 200 || !probe.json?.data || probe.json.errors?.length) {
        const error = `answered ${probe.status}: ${probe.text.slice(0, 300)}`;
        log(`${who} ${q.name} ${error}`);
        return { contender: name, query: q.name, error };
      }
      const data = JSON.stringify(probe.json.data);
      if (CONTENDERS[name].bearer) {
        const anonymous = await post(gateway.url, probeBody);
        const refused = anonymous.status !== 200 || JSON.stringify(anonymous.json?.data) !== data;
        notes.push(`${who} ${q.name} without a token: HTTP ${anonymous.status}${refused ? ', refused' : ' — NOT refused'} (${anonymous.text.slice(0, 120).replace(/\|/g, '/')})`);
      }
      if (!firstData.has(q.name)) firstData.set(q.name, data);
      const script = scripts.get(`${q.name}:${CONTENDERS[name].bearer}`)!;
      if (q.cache === 'warm' && q.rotation) {
        log(`${who} ${q.name}: warm-up pass over ${q.rotation.values.length} customers…`);
        await warmPass(gateway.url, q.rotation, headers);
      } else if (warmupSec > 0) {
        log(`${who} ${q.name}: warm-up ${warmupSec}s…`);
        const warmupScript = scripts.get(`${q.name}:${CONTENDERS[name].bearer}:warmup`) ?? script;
        await runWrk({ url: gateway.url, script: warmupScript, connections, durationSec: warmupSec, cpus: loadCpus });
      }
      collectGarbage?.();
      const countersBefore = await gatewayCounters(gateway.url);
      fullGcs.reset();
      counter.reset();
      sourceRequests = 0;
      let rssPeak = gateway.rssBytes();
      // The subgraphs' own process too: what their heap settings cost in memory.
      let subgraphRssPeak = process.memoryUsage.rss();
      const cpuBefore = gateway.cpuSeconds();
      const subgraphCpuBefore = process.cpuUsage();
      const sampler = setInterval(() => {
        rssPeak = Math.max(rssPeak, gateway.rssBytes());
        subgraphRssPeak = Math.max(subgraphRssPeak, process.memoryUsage.rss());
      }, 500);
      log(`${who} ${q.name}: measuring ${durationSec}s…`);
      const subgraphProfiler = values['profile-subgraphs'] ? await startInspectorProfile() : undefined;
      const load = await runWrk({ url: gateway.url, script, connections, durationSec, cpus: loadCpus });
      if (subgraphProfiler) {
        const file = path.join(TMP, `profile-subgraphs-${who.replace(/[^\w-]+/g, '-')}-${q.name}.cpuprofile`);
        await subgraphProfiler.stop(file);
        notes.push(`CPU profile of the subgraphs' process (bench process: subgraphs, CRM stand-in, PGlite) over the measured window of ${who} ${q.name}; self time:\n\n${summariseCpuProfile(file, 25)}`);
      }
      clearInterval(sampler);
      const gcs = fullGcs.summary();
      notes.push(
        `${who} ${q.name}: full GCs of the subgraphs' thread in the window: ${gcs.count}${gcs.count > 0 ? ` (longest ${gcs.longestMs.toFixed(0)} ms, ${gcs.totalMs.toFixed(0)} ms in all)` : ''}; the subgraphs' process peaked at ${(subgraphRssPeak / 2 ** 20).toFixed(0)} MiB RSS.`,
      );
      if (load.firstError) notes.push(`${who} ${q.name}: first failed answer of the window: ${load.firstError.replace(/\|/g, '/')}`);
      const cpuSeconds = gateway.cpuSeconds() - cpuBefore;
      const subgraphCpu = process.cpuUsage(subgraphCpuBefore);
      rssPeak = Math.max(rssPeak, gateway.rssBytes());
      const countersAfter = await gatewayCounters(gateway.url);
      const hits = countersAfter.hit - countersBefore.hit;
      const lookups = hits + countersAfter.miss - countersBefore.miss;
      const filled = countersAfter.filled - countersBefore.filled;
      const ranOut = countersAfter['ran-out'] - countersBefore['ran-out'];
      if (filled + ranOut > 0) notes.push(`${who} ${q.name}: merged calls held back for the callers of the last one (ADR 0021) in the window: ${filled} filled, ${ranOut} ran out.`);
      log(`${who} ${q.name}: ${load.requestsPerSec.toFixed(0)} req/s, p50 ${load.p50Ms.toFixed(1)} ms, p99 ${load.p99Ms.toFixed(1)} ms, p99.9 ${load.p999Ms.toFixed(1)} ms, gateway CPU ${((100 * cpuSeconds) / load.durationSec).toFixed(0)}%`);
      const openLoop: NonNullable<Measurement['openLoop']> = [];
      if (q.cache !== 'cold') {
        const bodiesFile = path.join(TMP, `open-loop-${q.name}.json`);
        await writeFile(bodiesFile, JSON.stringify(q.rotation ? q.rotation.values.map((v) => `${q.rotation!.prefix}${v}${q.rotation!.suffix}`) : [q.body]));
        for (const rate of openLoopRates) {
          log(`${who} ${q.name}: open loop at ${rate} req/s for ${durationSec}s…`);
          collectGarbage?.();
          const before = await gatewayCounters(gateway.url);
          counter.reset();
          const open = await runOpenLoop({ url: gateway.url, bodiesFile, headers, rate, durationSec, cpus: loadCpus });
          const after = await gatewayCounters(gateway.url);
          log(`${who} ${q.name} @ ${rate} req/s: p50 ${open.p50Ms.toFixed(1)} ms, p99 ${open.p99Ms.toFixed(1)} ms, p99.9 ${open.p999Ms.toFixed(1)} ms, errors ${open.non200 + open.graphqlErrors + open.socketErrors}`);
          openLoop.push({
            rate,
            load: open,
            subgraphRequestsPerOp: counter.total() / Math.max(1, open.requests),
            lingers: { filled: after.filled - before.filled, ranOut: after['ran-out'] - before['ran-out'] },
          });
        }
      }
      return {
        contender: name,
        query: q.name,
        load,
        rssPeakBytes: rssPeak,
        gatewayCpuMsPerOp: (1000 * cpuSeconds) / Math.max(1, load.requests),
        gatewayCpuShare: cpuSeconds / load.durationSec,
        subgraphRequestsPerOp: counter.total() / Math.max(1, load.requests),
        subgraphRequestsByName: counter.byName(),
        sourceRequestsPerOp: sourceRequests / Math.max(1, load.requests),
        subgraphCpuMsPerOp: (subgraphCpu.user + subgraphCpu.system) / 1000 / Math.max(1, load.requests),
        sameAnswer: firstData.get(q.name) === data,
        entityCacheHitRatio: lookups > 0 ? hits / lookups : undefined,
        ...(openLoop.length > 0 ? { openLoop } : {}),
      };
    }

    const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    notes.push(
      `Load average at the start: ${loadAtStart}.`,
      `Load average at the end: ${load} (anything else running on the machine shows here and makes the figures noisy).`,
      'Peers (stock gateway, Hive) check no JWT and get a supergraph without @authenticated/@requiresScopes; "concord (no auth)" is the same conditions, "concord (auth as shipped)" verifies the bearer token, authorizes fields and signs a gateway proof per request.',
      `Concord (auth as shipped) runs gateway/main.ts configured from the environment (demo issuer, audit records to the bench database, ${values['max-cost'] ? `default limits except LIMIT_MAX_COST=${values['max-cost']}` : 'default limits'}).`,
      'Concord and Hive share identical in-flight subgraph requests by default, the stock gateway does not; with one query sent from many connections this cuts the subgraph work — see subgraph req/op.',
      'Subgraph CPU ms/op is the CPU time of the bench process — the three subgraphs, the CRM stand-in and PGlite, not wrk — over the window divided by the operations answered: the work a gateway makes the subgraphs do per operation, and the least load-sensitive figure of a run where that core is the bottleneck.',
      'Gateway CPU ms/op is the CPU time the gateway process used in the measured window divided by the operations answered: the cost of the gateway itself, whatever the bottleneck. CPU % is that time over the window (100% = one core busy; below it, the gateway waited on subgraphs or the load generator).',
      `The bench process (subgraphs, CRM stand-in, PGlite) runs with ${subgraphNodeFlags.length > 0 ? `the subgraph services' heap settings: ${subgraphNodeFlags.join(' ')}` : "V8's default heap settings"}.`,
      `Subgraphs, the CRM stand-in, PGlite and wrk share CPUs ${loadCpus ?? 'unpinned'}; each gateway runs alone on CPUs ${gatewayCpus ?? 'unpinned'}.`,
    );
    const run: BenchRun = {
      startedAt,
      command: `npx tsx bench/gateway.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: { warmupSec, durationSec, connections, rounds, companies, gatewayCpus: gatewayCpus ?? 'unpinned', loadCpus: loadCpus ?? 'unpinned', wrkThreads: 1, heapBetweenWindows, subgraphHeap: subgraphNodeFlags.length > 0 ? `${subgraphHeap} (${subgraphNodeFlags.join(' ')})` : subgraphHeap },
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${base.databaseUrl ? 'PostgreSQL' : `PGlite (${pgliteThread === 'worker' ? 'its own thread' : "the bench's thread"})`}`,
      queries,
      measurements,
      notes,
    };
    console.log(`\n${resultsTable(run)}\n\nConcord / peer:\n\n${ratioTable(run)}\n`);
    const out = values.out ?? path.join(ROOT, `bench/results/gateway-${startedAt.toISOString().slice(0, 10)}.md`);
    await writeFile(out, renderMarkdown(run));
    log(`results written to ${path.relative(ROOT, out)}`);
  } finally {
    await cleanup();
  }
}

/** The bench again, under the subgraphs' heap settings: same node, same loader (tsx), same arguments. */
async function relaunchUnderSubgraphHeapSettings(): Promise<number> {
  const child = spawn(process.execPath, [...subgraphNodeFlags, ...process.execArgv, process.argv[1], ...process.argv.slice(2)], {
    stdio: 'inherit',
    env: { ...process.env, CONCORD_BENCH_RELAUNCHED: '1' },
  });
  // Ctrl-C reaches both; the child stops its gateways and subgraphs, this one waits for it.
  process.on('SIGINT', () => {});
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

const underSubgraphHeapSettings = subgraphNodeFlags.every((flag) => process.execArgv.includes(flag));
if (!underSubgraphHeapSettings && process.env.CONCORD_BENCH_RELAUNCHED !== '1') process.exit(await relaunchUnderSubgraphHeapSettings());
if (!underSubgraphHeapSettings) throw new Error(`started again but without ${subgraphNodeFlags.join(' ')} (execArgv: ${process.execArgv.join(' ')})`);
await main();
// PGlite and pools can keep handles open; the run is over.
process.exit(0);
