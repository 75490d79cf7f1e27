import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GATEWAY_NODE_FLAGS } from '../gateway/heapSettings.js';

/**
 * The gateways bench/gateway.ts compares, each started as its own process on
 * the same subgraphs and supergraph, and how to start, watch and stop them.
 */
export type ContenderName = 'concord' | 'concord-auth' | 'concord-nodedupe' | 'concord-nobatch' | 'concord-nolinger' | 'concord-v8heap' | 'apollo' | 'hive';

export const CONTENDER_NAMES: readonly ContenderName[] = ['concord', 'concord-auth', 'concord-nodedupe', 'concord-nobatch', 'concord-nolinger', 'concord-v8heap', 'apollo', 'hive'];

export interface Contender {
  name: ContenderName;
  label: string;
  /** The supergraph file it serves: with the security directives (Concord as it ships) or stripped (what the peers accept). */
  supergraph: 'full' | 'stripped';
  /** Whether the load generator sends the demo user's bearer token. */
  bearer: boolean;
  /** Extra environment for the gateway process. */
  env?: Record<string, string>;
  /** Node flags it is started with: Concord's are the gateway's own heap settings, as npm start and docker-compose pass them. */
  nodeFlags: readonly string[];
}

export const CONTENDERS: Record<ContenderName, Contender> = {
  concord: { name: 'concord', label: 'Concord (no auth)', supergraph: 'stripped', bearer: false, nodeFlags: GATEWAY_NODE_FLAGS },
  'concord-auth': { name: 'concord-auth', label: 'Concord (auth as shipped)', supergraph: 'full', bearer: true, nodeFlags: GATEWAY_NODE_FLAGS },
  // Without sharing identical in-flight subgraph calls: the stock gateway's terms, to show what the rest of the path is worth.
  'concord-nodedupe': { name: 'concord-nodedupe', label: 'Concord (no auth, no dedupe)', supergraph: 'stripped', bearer: false, env: { SUBGRAPH_DEDUPE: 'false' }, nodeFlags: GATEWAY_NODE_FLAGS },
  // Without merging concurrent entity fetches (ADR 0019): what the merging buys.
  'concord-nobatch': { name: 'concord-nobatch', label: 'Concord (no auth, no entity-fetch merging)', supergraph: 'stripped', bearer: false, env: { SUBGRAPH_ENTITY_BATCH_IN_FLIGHT: '0' }, nodeFlags: GATEWAY_NODE_FLAGS },
  // Merging without holding a call back for the callers of the last one (ADR 0021): what the linger buys.
  'concord-nolinger': { name: 'concord-nolinger', label: 'Concord (no auth, no linger)', supergraph: 'stripped', bearer: false, env: { SUBGRAPH_ENTITY_BATCH_LINGER_MS: '0' }, nodeFlags: GATEWAY_NODE_FLAGS },
  // V8's default heap settings instead of the gateway's own: what those settings buy in memory and cost in throughput.
  'concord-v8heap': { name: 'concord-v8heap', label: "Concord (no auth, V8's default heap)", supergraph: 'stripped', bearer: false, nodeFlags: [] },
  apollo: { name: 'apollo', label: 'stock @apollo/gateway 2.14.4', supergraph: 'stripped', bearer: false, nodeFlags: [] },
  hive: { name: 'hive', label: 'Hive Gateway 2.15.1', supergraph: 'stripped', bearer: false, nodeFlags: [] },
};

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HIVE_BIN = path.join(ROOT, 'bench/peers/node_modules/@graphql-hive/gateway/dist/bin.js');
const HIVE_CONFIG = path.join(ROOT, 'bench/peers/gateway.config.mjs');

export interface StartContenderOptions {
  supergraphFile: string;
  /** Env for the child: the gateway proof for peers (BENCH_GATEWAY_PROOF), auth settings for Concord as shipped. */
  env: Record<string, string>;
  /** taskset CPU list, e.g. "0"; undefined runs unpinned. */
  cpus?: string;
  /** Node flags for the gateway process (e.g. --cpu-prof). */
  nodeFlags?: string[];
}

export interface RunningContender {
  url: string;
  pid: number;
  /** Resident memory of the gateway process and its children, in bytes. */
  rssBytes(): number;
  /** CPU seconds the gateway process and its children used so far. */
  cpuSeconds(): number;
  /** The last lines the process printed (for failures). */
  output(): string;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function commandFor(name: ContenderName, supergraphFile: string, port: number, nodeFlags: string[]): string[] {
  switch (name) {
    case 'concord':
    case 'concord-nodedupe':
    case 'concord-nobatch':
    case 'concord-nolinger':
    case 'concord-v8heap':
    case 'apollo':
      return ['node', ...nodeFlags, '--import', 'tsx', path.join(ROOT, 'bench/gatewayProcess.ts'), name === 'apollo' ? 'apollo' : 'concord', '--supergraph', supergraphFile, '--port', String(port)];
    case 'concord-auth':
      // The gateway's own entry point, configured from the environment exactly as deployed.
      return ['node', ...nodeFlags, '--import', 'tsx', path.join(ROOT, 'gateway/main.ts'), '--supergraph', supergraphFile];
    case 'hive':
      if (!existsSync(HIVE_BIN)) throw new Error('Hive Gateway is not installed: flock /tmp/concord-npm.lock npm install --prefix bench/peers');
      return ['node', ...nodeFlags, HIVE_BIN, 'supergraph', supergraphFile, '--port', String(port), '--host', '127.0.0.1', '-c', HIVE_CONFIG];
  }
}

/** A process and its descendants, from /proc (Linux). */
function processTree(pid: number): number[] {
  const found: number[] = [];
  const pending = [pid];
  while (pending.length) {
    const current = pending.pop()!;
    found.push(current);
    try {
      for (const task of readdirSync(`/proc/${current}/task`)) {
        const children = readFileSync(`/proc/${current}/task/${task}/children`, 'utf8').trim();
        if (children) pending.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // The process ended between listing and reading.
    }
  }
  return found;
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}

/** RSS of a process and its descendants. */
export function processTreeRssBytes(pid: number): number {
  return processTree(pid).reduce((sum, p) => sum + Number(/VmRSS:\s+(\d+) kB/.exec(readProc(p, 'status'))?.[1] ?? 0) * 1024, 0);
}

/** CPU time (user + system) a process and its descendants used so far, in seconds (clock ticks of 1/100 s). */
export function processTreeCpuSeconds(pid: number): number {
  return processTree(pid).reduce((sum, p) => {
    // Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    const fields = readProc(p, 'stat').replace(/^.*\) /s, '').split(' ');
    return sum + (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
  }, 0);
}

/** Ready when the endpoint answers anything over HTTP (a 401 from an auth-checking gateway counts). */
async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number, output: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    try {
      await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"query":"{ __typename }"}', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the gateway did not serve ${url} within ${timeoutMs} ms:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

export async function startContender(name: ContenderName, options: StartContenderOptions): Promise<RunningContender> {
  const port = await freePort();
  const command = commandFor(name, options.supergraphFile, port, [...CONTENDERS[name].nodeFlags, ...(options.nodeFlags ?? [])]);
  const argv = options.cpus && existsSync('/usr/bin/taskset') ? ['taskset', '-c', options.cpus, ...command] : command;
  const child = spawn(argv[0], argv.slice(1), {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APOLLO_TELEMETRY_DISABLED: 'true',
      PORT: String(port),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...options.env,
      ...CONTENDERS[name].env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}/graphql`;
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitUntilServing(url, child, 90_000, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, pid: child.pid!, rssBytes: () => processTreeRssBytes(child.pid!), cpuSeconds: () => processTreeCpuSeconds(child.pid!), output: () => log, stop };
}
