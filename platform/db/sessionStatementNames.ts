/**
 * Named prepared statements for connections that share one PostgreSQL
 * session (the embedded PGlite, platform/db/embeddedPostgres.ts).
 *
 * A real server gives each connection a session of its own, so two
 * connections of a pool may both prepare "erp.orders" — and `pg` does exactly
 * that: it remembers per connection which names it parsed. On one shared
 * session the second Parse would fail with 42P05 (already exists), and a
 * Close or a DEALLOCATE by one connection would drop the other's. So the
 * embedded server scopes every statement name a connection uses to that
 * connection ("c7:erp.orders"), in Parse, Bind, Describe and Close, and
 * closes what a connection prepared when it goes away, so names do not pile
 * up in the session as pools replace connections.
 *
 * The renaming is written by hand: it splices a name into four frontend
 * messages of PostgreSQL's wire protocol (v3), which no library offers as a
 * transform — `pg-protocol` writes frontend messages (the Close and Sync
 * below are its) but parses only backend ones.
 *
 * Not covered: named portals (`pg` uses the unnamed one; they end with their
 * transaction anyway) and `DEALLOCATE` / `DISCARD ALL` sent as SQL, which
 * act on the session's real names.
 */

import { serialize } from 'pg-protocol';

const PARSE = 0x50;
const BIND = 0x42;
const DESCRIBE = 0x44;
const CLOSE = 0x43;
const STATEMENT = 0x53; // 'S': Describe/Close of a prepared statement (not a portal, 'P')

/** The session-wide name of `connection`'s statement `name`. */
export function sessionStatementName(connection: number, name: string): string {
  return `c${connection}:${name}`;
}

/** What one connection has prepared in the shared session, by its own names. */
export class ConnectionStatements {
  readonly #connection: number;
  readonly #prepared = new Set<string>();

  constructor(connection: number) {
    this.#connection = connection;
  }

  /** Names this connection prepared and has not closed (its own names, not the session's). */
  get prepared(): ReadonlySet<string> {
    return this.#prepared;
  }

  /**
   * The message with every statement name scoped to this connection; the same
   * bytes when it names none (the unnamed statement, a portal, any other
   * message type). A Parse counts its name as prepared and a Close as gone —
   * also when the server then refuses them, which only means a name closed
   * later that never existed (Close of an unknown statement is no error).
   * A malformed message goes on as it came, for the server to refuse.
   */
  scope(message: Uint8Array): Uint8Array {
    const type = message[0];
    if (type === PARSE) {
      const name = readCString(message, 5);
      if (name === undefined || name.text === '') return message;
      this.#prepared.add(name.text);
      return this.#rename(message, 5, name);
    }
    if (type === BIND) {
      const portal = readCString(message, 5);
      const statement = portal && readCString(message, portal.end);
      return statement === undefined || statement.text === '' ? message : this.#rename(message, portal!.end, statement);
    }
    if (type === DESCRIBE || type === CLOSE) {
      if (message[5] !== STATEMENT) return message;
      const name = readCString(message, 6);
      if (name === undefined || name.text === '') return message;
      if (type === CLOSE) this.#prepared.delete(name.text);
      return this.#rename(message, 6, name);
    }
    return message;
  }

  /**
   * Close of every statement this connection still holds, then Sync: what
   * the server runs for it after it went away. Undefined when it holds none.
   */
  closeAll(): Uint8Array | undefined {
    if (this.#prepared.size === 0) return undefined;
    const closes = [...this.#prepared].map((name) => serialize.close({ type: 'S', name: sessionStatementName(this.#connection, name) }));
    this.#prepared.clear();
    return Buffer.concat([...closes, serialize.sync()]);
  }

  #rename(message: Uint8Array, at: number, name: { text: string; end: number }): Uint8Array {
    const scoped = Buffer.from(`${sessionStatementName(this.#connection, name.text)}\0`, 'utf8');
    const head = message.subarray(1, at); // the length is rewritten below; the bytes before the name stay
    const tail = message.subarray(name.end);
    const out = Buffer.allocUnsafe(1 + head.length + scoped.length + tail.length);
    out[0] = message[0];
    out.set(head, 1);
    out.set(scoped, at);
    out.set(tail, at + scoped.length);
    out.writeInt32BE(out.length - 1, 1);
    return out;
  }
}

/** A NUL-terminated string at `at` and the offset just past its NUL; undefined without one. */
function readCString(message: Uint8Array, at: number): { text: string; end: number } | undefined {
  const nul = message.indexOf(0, at);
  if (nul === -1) return undefined;
  return { text: Buffer.from(message.buffer, message.byteOffset + at, nul - at).toString('utf8'), end: nul + 1 };
}
