/**
 * A TCP proxy run as a child process of a fault test, in front of a server the
 * test must not touch (the machine's PostgreSQL): SIGSTOP on this process
 * freezes "the database" for everyone behind it (connections accepted by the
 * kernel, no byte answered), SIGKILL makes it refuse connections, and a new
 * proxy on the same port brings it back.
 *
 * LISTEN_PORT, TARGET_HOST (127.0.0.1), TARGET_PORT.
 */
import net from 'node:net';

const listenPort = Number(process.env.LISTEN_PORT);
const targetHost = process.env.TARGET_HOST ?? '127.0.0.1';
const targetPort = Number(process.env.TARGET_PORT);

const server = net.createServer((client) => {
  const upstream = net.connect(targetPort, targetHost);
  client.pipe(upstream);
  upstream.pipe(client);
  const close = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', close);
  upstream.on('error', close);
  client.on('close', close);
  upstream.on('close', close);
});
server.listen(listenPort, '127.0.0.1', () => {
  console.log(`tcp proxy 127.0.0.1:${listenPort} -> ${targetHost}:${targetPort}`);
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
