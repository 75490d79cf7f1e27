import { parentPort, workerData } from 'node:worker_threads';
import { serveEmbeddedPostgres, type EmbeddedPostgresOptions } from './embeddedPostgres.js';

/**
 * The embedded database's own thread (startEmbeddedPostgres starts it):
 * serves PGlite on the wire protocol, posts its URL, and stops when told.
 */
const port = parentPort!;
const describe = (error: unknown) => (error instanceof Error ? error.stack ?? error.message : String(error));
try {
  const embedded = await serveEmbeddedPostgres(workerData as Omit<EmbeddedPostgresOptions, 'thread'>);
  port.on('message', (message: unknown) => {
    if (message !== 'stop') return;
    embedded.stop().catch((error: unknown) => console.error('[embedded-postgres] stopping:', describe(error))).finally(() => port.close());
  });
  port.postMessage({ connectionString: embedded.connectionString });
} catch (error) {
  port.postMessage({ error: describe(error) });
  port.close();
}
