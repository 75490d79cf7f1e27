import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** A free TCP port on 127.0.0.1 (asked of the kernel, then released for the child to bind). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface ChildService {
  readonly name: string;
  readonly port: number;
  /** http://127.0.0.1:port */
  readonly origin: string;
  pid(): number | undefined;
  /** SIGSTOP: the process stays, answers nothing. */
  freeze(): void;
  /** SIGCONT. */
  thaw(): void;
  /** SIGKILL, and waits for the exit. */
  kill(): Promise<void>;
  /** Starts the same entry again on the same port and waits until it is up. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), whatever state it is in. */
  stop(): Promise<void>;
  /** What it printed (last 20,000 characters), for failure messages. */
  output(): string;
}

export interface ServiceSpec {
  name: string;
  /** Repository-relative path of the main file, run with `node --import tsx`. */
  entry: string;
  env: Record<string, string>;
  port: number;
  /** How to tell it is up: an HTTP path answering 200, or a TCP connect. @default { http: '/health' } */
  ready?: { http: string } | { tcp: true };
  /** @default 60000 */
  startTimeoutMs?: number;
}

/**
 * Runs one part of Concord as a real child process (as `node --import tsx
 * subgraphs/erp/main.ts` would in production), for fault tests to freeze,
 * kill and restart. Only processes started here are ever signalled.
 */
export async function startService(spec: ServiceSpec): Promise<ChildService> {
  let child: ChildProcess | undefined;
  let log = '';
  /** Set while the test itself kills or stops the process: any other exit is a crash worth showing. */
  let expectingExit = false;
  const origin = `http://127.0.0.1:${spec.port}`;

  const launch = async () => {
    const started = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, spec.entry)], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...spec.env, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    const keep = (chunk: Buffer) => {
      log = (log + chunk.toString('utf8')).slice(-20_000);
    };
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    started.once('exit', (code, signal) => {
      if (!expectingExit) console.error(`[faults] ${spec.name} exited by itself (${code ?? signal}); its last output:\n${log.slice(-8_000)}`);
    });
    await waitUntilUp(spec, origin, started, () => log);
  };

  const exited = (target: ChildProcess) =>
    target.exitCode !== null || target.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => target.once('exit', () => resolve()));

  await launch();
  return {
    name: spec.name,
    port: spec.port,
    origin,
    pid: () => child?.pid,
    freeze: () => void child?.kill('SIGSTOP'),
    thaw: () => void child?.kill('SIGCONT'),
    async kill() {
      if (!child) return;
      const target = child;
      expectingExit = true;
      target.kill('SIGKILL');
      await exited(target);
    },
    async restart() {
      expectingExit = false;
      await launch();
    },
    async stop() {
      if (!child) return;
      const target = child;
      expectingExit = true;
      if (target.exitCode !== null || target.signalCode !== null) return;
      target.kill('SIGCONT');
      target.kill('SIGTERM');
      const timer = setTimeout(() => target.kill('SIGKILL'), 5_000);
      await exited(target);
      clearTimeout(timer);
    },
    output: () => log,
  };
}

async function waitUntilUp(spec: ServiceSpec, origin: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + (spec.startTimeoutMs ?? 60_000);
  const ready = spec.ready ?? { http: '/health' };
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${spec.name} exited (${child.exitCode ?? child.signalCode}) before it was up:\n${log()}`);
    }
    if ('http' in ready) {
      try {
        const response = await fetch(origin + ready.http, { signal: AbortSignal.timeout(1_000) });
        if (response.ok) return;
      } catch {
        // not listening yet
      }
    } else if (await canConnect(spec.port)) {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${spec.name} was not up within ${spec.startTimeoutMs ?? 60_000} ms:\n${log()}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
