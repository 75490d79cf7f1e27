import { spawn } from 'node:child_process';
import { access, chmod, chown, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { freePort } from './processes.js';

/**
 * A PostgreSQL cluster of the fault test's own — initdb into a temporary
 * directory, started with pg_ctl on a free port — so that it can be frozen
 * (SIGSTOP on the postmaster and every backend) and thawed without ever
 * touching the machine's server. PostgreSQL refuses to run as root, so under
 * root the binaries run as the `postgres` system user (runuser) and the
 * directory is handed to it.
 */
export interface ThrowawayPostgres {
  /** postgres://postgres@127.0.0.1:port/postgres */
  readonly url: string;
  readonly port: number;
  /** A URL to a database of the cluster. */
  urlOf(database: string): string;
  /** SIGSTOP the postmaster, then each backend: connections stay open, nothing answers, new ones hang in the listen queue. */
  freeze(): Promise<void>;
  /** SIGCONT the backends, then the postmaster. */
  thaw(): Promise<void>;
  /** Immediate shutdown (thawed first) and the directory removed. */
  stop(): Promise<void>;
  /** The server's log, for failure messages. */
  log(): Promise<string>;
}

/** Where this machine keeps the PostgreSQL 15 binaries (Debian/Ubuntu layout); PG_BIN_DIR overrides. */
export const PG_BIN_DIR = process.env.PG_BIN_DIR ?? '/usr/lib/postgresql/15/bin';
const RUN_AS = 'postgres';

/** Why a throwaway cluster cannot be started here, or undefined. */
export async function throwawayPostgresUnavailable(): Promise<string | undefined> {
  try {
    await access(path.join(PG_BIN_DIR, 'initdb'));
    await access(path.join(PG_BIN_DIR, 'pg_ctl'));
  } catch {
    return `no initdb/pg_ctl in ${PG_BIN_DIR} (set PG_BIN_DIR)`;
  }
  if (userInfo().uid === 0) {
    const uid = await systemUid(RUN_AS);
    if (uid === undefined) return `running as root and there is no '${RUN_AS}' user to run PostgreSQL as`;
  }
  return undefined;
}

async function systemUid(user: string): Promise<{ uid: number; gid: number } | undefined> {
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => '');
  for (const line of passwd.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name === user) return { uid: Number(uid), gid: Number(gid) };
  }
  return undefined;
}

function run(command: string, args: string[], asUser: boolean): Promise<string> {
  const [file, argv] = asUser ? ['runuser', ['-u', RUN_AS, '--', command, ...args]] : [command, args];
  return new Promise((resolve, reject) => {
    const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8' } });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

/** The pids whose parent is `pid`, with whether each is stopped (read from /proc: the backends of a postmaster). */
async function childrenOf(pid: number): Promise<Array<{ pid: number; stopped: boolean }>> {
  const children: Array<{ pid: number; stopped: boolean }> = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) continue;
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid) children.push({ pid: Number(entry), stopped: fields[0] === 'T' || fields[0] === 't' });
  }
  return children;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    // A backend that exited between the listing and the signal.
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

export async function startThrowawayPostgres(): Promise<ThrowawayPostgres> {
  const asUser = userInfo().uid === 0;
  const dir = await mkdtemp(path.join(tmpdir(), 'concord-faults-pg-'));
  const data = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  if (asUser) {
    const owner = (await systemUid(RUN_AS))!;
    await chown(dir, owner.uid, owner.gid);
  }
  await chmod(dir, 0o700);
  const port = await freePort();
  const bin = (name: string) => path.join(PG_BIN_DIR, name);
  let postmaster: number | undefined;
  let frozen: number[] = [];
  const stop = async () => {
    if (frozen.length) await thaw();
    if (postmaster !== undefined) await run(bin('pg_ctl'), ['-D', data, '-m', 'immediate', '-w', 'stop'], asUser).catch(() => {});
    postmaster = undefined;
    await rm(dir, { recursive: true, force: true });
  };
  const thaw = async () => {
    const [main, ...backends] = frozen;
    frozen = [];
    for (const pid of backends) signal(pid, 'SIGCONT');
    if (main !== undefined) signal(main, 'SIGCONT');
  };
  try {
    await run(bin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], asUser);
    // Small and quick: no fsync (a test's data), few connections, the socket in the test's own directory.
    const options = [`-p ${port}`, `-k ${dir}`, `-c listen_addresses=127.0.0.1`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', '-c max_connections=60', '-c shared_buffers=32MB'];
    await run(bin('pg_ctl'), ['-D', data, '-l', logFile, '-o', options.join(' '), '-w', '-t', '60', 'start'], asUser);
    postmaster = Number((await readFile(path.join(data, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch (error) {
    await stop();
    throw error;
  }
  const url = (database: string) => `postgres://postgres@127.0.0.1:${port}/${database}`;
  return {
    url: url('postgres'),
    port,
    urlOf: url,
    async freeze() {
      if (postmaster === undefined || frozen.length) return;
      // The postmaster first, so it forks no backend the listing would miss; then every backend,
      // looking again until each one is seen stopped (a signal is delivered asynchronously).
      signal(postmaster, 'SIGSTOP');
      const backends = new Set<number>();
      for (let pass = 0; pass < 20; pass++) {
        const running = (await childrenOf(postmaster)).filter((child) => !child.stopped);
        if (running.length === 0 && pass > 0) break;
        for (const child of running) {
          backends.add(child.pid);
          signal(child.pid, 'SIGSTOP');
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      for (const child of await childrenOf(postmaster)) backends.add(child.pid);
      frozen = [postmaster, ...backends];
    },
    thaw,
    stop,
    log: () => readFile(logFile, 'utf8').catch(() => ''),
  };
}
