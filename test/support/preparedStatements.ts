import type pg from 'pg';

/**
 * The prepared statements a single-connection pool's session gains from now
 * on, by the names its client gave them, sorted. On a server the session is
 * the connection's own; on the embedded PGlite every connection shares it,
 * so the names listed before are left out and the server's per-connection
 * prefix ("c7:") is taken off (platform/db/sessionStatementNames.ts).
 */
export async function watchPreparedStatements(singleConnection: pg.Pool, prefix: string): Promise<{ added(): Promise<string[]> }> {
  const sessionNames = async () =>
    (await singleConnection.query('SELECT name FROM pg_prepared_statements WHERE name LIKE $1', [`%${prefix}%`])).rows.map((r) => String(r.name));
  const before = new Set(await sessionNames());
  return {
    added: async () => (await sessionNames()).filter((name) => !before.has(name)).map((name) => name.replace(/^c\d+:/, '')).sort(),
  };
}
