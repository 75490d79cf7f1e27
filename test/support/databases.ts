import pg from 'pg';
import { startEmbeddedPostgres } from '../../platform/db/embeddedPostgres.js';

/**
 * The two databases every database test runs against: the embedded PGlite and
 * the PostgreSQL server at 127.0.0.1:5432 (TEST_PG_URL overrides). Each test
 * file gets a database of its own on the server, dropped afterwards.
 *
 * On a user's machine without a server the server variant is skipped with a
 * message; under CI=true a missing server is a failure, never a silent skip.
 */
export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export interface DatabaseTarget {
  name: 'pglite' | 'postgres';
  /** Why this target cannot run here, or undefined when it can. */
  unavailable?: string;
  create(): Promise<TestDatabase>;
}

const serverUrl = process.env.TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function serverReachable(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return `no PostgreSQL server at ${serverUrl} (${(error as Error).message})`;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function databaseTargets(): Promise<DatabaseTarget[]> {
  const problem = await serverReachable();
  if (problem && process.env.CI === 'true') {
    throw new Error(`${problem}: under CI=true the PostgreSQL server variant is mandatory`);
  }
  if (problem) console.warn(`[tests] skipping the PostgreSQL server variant: ${problem}`);
  return [
    {
      name: 'pglite',
      async create() {
        const embedded = await startEmbeddedPostgres();
        return { url: embedded.connectionString, drop: () => embedded.stop() };
      },
    },
    {
      name: 'postgres',
      unavailable: problem,
      async create() {
        const name = `concord_test_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`;
        const admin = new pg.Client({ connectionString: serverUrl });
        await admin.connect();
        await admin.query(`CREATE DATABASE ${name}`);
        await admin.end();
        const url = new URL(serverUrl);
        url.pathname = `/${name}`;
        // A fresh database as an operator's would be: the extensions the MDM
        // needs come from its own migration (000_extensions.sql), not from here.
        return {
          url: url.toString(),
          async drop() {
            const dropper = new pg.Client({ connectionString: serverUrl });
            await dropper.connect();
            // A logical replication slot keeps its database from being dropped (and WAL on the server forever).
            for (let attempt = 0; ; attempt++) {
              await dropper.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`, [name]);
              try {
                await dropper.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`, [name]);
                break;
              } catch (error) {
                // The walsender is still exiting: its slot is active a moment longer.
                if (attempt >= 20) throw error;
                await new Promise((r) => setTimeout(r, 100));
              }
            }
            await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
            await dropper.end();
          },
        };
      },
    },
  ];
}
