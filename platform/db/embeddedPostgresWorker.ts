import { parentPort, workerData } from 'node:worker_threads';
import { serveEmbeddedPostgres, type EmbeddedPostgresOptions, type EmbeddedPostgresThreadReport } from './embeddedPostgres.js';

/**
 * The embedded database's own thread (startEmbeddedPostgres starts it):
 * serves PGlite on the wire protocol, reports that it serves, and stops when
 * told, reporting how that went before it lets the thread end.
 */
const parent = parentPort!;
const report = (message: EmbeddedPostgresThreadReport) => parent.postMessage(message);
try {
  const embedded = await serveEmbeddedPostgres(workerData as Omit<EmbeddedPostgresOptions, 'thread'>);
  parent.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    embedded.stop().then(
      () => report({ kind: 'stopped' }),
      (error: unknown) => report({ kind: 'stopped', error: { message: String((error as Error)?.message ?? error), stack: (error as Error)?.stack } }),
    ).finally(() => parent.close());
  });
  report({ kind: 'serving', connectionString: embedded.connectionString });
} catch (error) {
  const failure = error as NodeJS.ErrnoException;
  report({ kind: 'failed', message: String(failure?.message ?? error), code: typeof failure?.code === 'string' ? failure.code : undefined, stack: failure?.stack });
  parent.close();
}
