import { PGlite } from '@electric-sql/pglite';
import { fuzzystrmatch } from '@electric-sql/pglite/contrib/fuzzystrmatch';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { unaccent } from '@electric-sql/pglite/contrib/unaccent';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface EmbeddedPostgres {
  /** A `postgres://` URL that `pg` connects to. */
  connectionString: string;
  stop(): Promise<void>;
}

/**
 * The embedded default: PGlite (PostgreSQL compiled to WASM, in-process) served
 * over the Postgres wire protocol by pglite-socket, so every service uses the
 * same `pg` code it would use against a real server.
 *
 * Caveat carried by every caller: all connections share ONE Postgres session,
 * so no named prepared statements, no session SET, and transactions kept short
 * (an open transaction on one connection stalls the others).
 */
export async function startEmbeddedPostgres(options: { port?: number; host?: string; dataDir?: string } = {}): Promise<EmbeddedPostgres> {
  const db = await PGlite.create({
    dataDir: options.dataDir,
    extensions: { pg_trgm, fuzzystrmatch, unaccent },
  });
  await db.exec('CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS fuzzystrmatch; CREATE EXTENSION IF NOT EXISTS unaccent;');
  const host = options.host ?? '127.0.0.1';
  // Port 0 asks the OS for a free port; pglite-socket reports the bound one.
  const server = new PGLiteSocketServer({ db, host, port: options.port ?? 0, maxConnections: 64 });
  await server.start();
  const conn = server.getServerConn(); // "host:port"
  const port = Number(conn.split(':').pop());
  return {
    connectionString: `postgres://postgres@${host}:${port}/postgres?sslmode=disable`,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}
