import net from 'node:net';

/**
 * The NATS server with JetStream the broker tests use: 127.0.0.1:4222 (the
 * machine's and CI's; NATS_TEST_URL overrides). Missing on a user's machine,
 * those tests skip with a message; under CI=true a missing server fails.
 */
export interface NatsTarget {
  url: string;
  unavailable?: string;
}

export async function natsTarget(): Promise<NatsTarget> {
  const url = process.env.NATS_TEST_URL ?? 'nats://127.0.0.1:4222';
  const { hostname, port } = new URL(url);
  const problem = await new Promise<string | undefined>((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 4222) });
    const done = (result: string | undefined) => { socket.destroy(); resolve(result); };
    socket.setTimeout(2_000, () => done('timed out'));
    socket.once('data', (data) => done(data.toString().startsWith('INFO') ? undefined : `unexpected greeting ${data.toString().slice(0, 40)}`));
    socket.once('error', (error) => done(error.message));
  });
  if (problem && process.env.CI === 'true') throw new Error(`no NATS server at ${url} (${problem}): under CI=true the NATS tests are mandatory`);
  if (problem) console.warn(`[tests] skipping the NATS JetStream tests: no NATS server at ${url} (${problem})`);
  return { url, ...(problem ? { unavailable: `no NATS server at ${url} (${problem})` } : {}) };
}

/** A namespace of the test's own (streams and subjects), removed by the test afterwards. */
export function testNamespace(label: string): string {
  return `t${label}${process.pid}${Math.random().toString(36).slice(2, 6)}`.toLowerCase().replace(/[^a-z0-9_]/g, '');
}
