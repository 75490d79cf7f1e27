import { describe, expect, it } from 'vitest';
import { ConnectionStatements, sessionStatementName } from './sessionStatementNames.js';

/** A frontend wire message: type, int32 length (itself included), body. */
function message(type: string, ...parts: Array<string | Buffer>): Buffer {
  const body = Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'utf8') : part)));
  const header = Buffer.alloc(5);
  header.write(type, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

const NO_PARAMETER_TYPES = Buffer.from([0, 0]);
const BIND_REST = Buffer.from([0, 0, 0, 0, 0, 0]); // no parameter formats, no values, no result formats

describe('ConnectionStatements', () => {
  it('scopes a named statement to its connection in Parse, Bind, Describe and Close, lengths rewritten', () => {
    const statements = new ConnectionStatements(7);
    const scopedName = sessionStatementName(7, 'erp.orders');
    expect(scopedName).toBe('c7:erp.orders');

    const parse = statements.scope(message('P', 'erp.orders\0', 'SELECT $1::int\0', Buffer.from([0, 1, 0, 0, 0, 23])));
    expect(Buffer.from(parse)).toEqual(message('P', `${scopedName}\0`, 'SELECT $1::int\0', Buffer.from([0, 1, 0, 0, 0, 23])));
    expect(Buffer.from(parse).readInt32BE(1)).toBe(parse.length - 1);
    expect([...statements.prepared]).toEqual(['erp.orders']);

    expect(Buffer.from(statements.scope(message('B', '\0', 'erp.orders\0', BIND_REST)))).toEqual(message('B', '\0', `${scopedName}\0`, BIND_REST));
    expect(Buffer.from(statements.scope(message('B', 'portal1\0', 'erp.orders\0', BIND_REST)))).toEqual(message('B', 'portal1\0', `${scopedName}\0`, BIND_REST));
    expect(Buffer.from(statements.scope(message('D', 'S', 'erp.orders\0')))).toEqual(message('D', 'S', `${scopedName}\0`));

    expect(Buffer.from(statements.scope(message('C', 'S', 'erp.orders\0')))).toEqual(message('C', 'S', `${scopedName}\0`));
    expect(statements.prepared.size).toBe(0);
  });

  it('leaves the unnamed statement, portals and every other message as they are (the same bytes)', () => {
    const statements = new ConnectionStatements(3);
    const unchanged = [
      message('P', '\0', 'SELECT 1\0', NO_PARAMETER_TYPES),
      message('B', 'portal1\0', '\0', BIND_REST),
      message('D', 'P', 'portal1\0'),
      message('D', 'S', '\0'),
      message('C', 'P', 'portal1\0'),
      message('E', '\0', Buffer.from([0, 0, 0, 0])),
      message('S'),
      message('Q', 'SELECT 1\0'),
    ];
    for (const sent of unchanged) expect(statements.scope(sent)).toBe(sent);
    expect(statements.prepared.size).toBe(0);
  });

  it('passes a malformed message on unchanged, for the server to refuse', () => {
    const statements = new ConnectionStatements(3);
    const truncated = message('P', 'no terminator');
    expect(statements.scope(truncated)).toBe(truncated);
  });

  it('closes what the connection still holds, then Sync; nothing when it holds none', () => {
    const statements = new ConnectionStatements(12);
    expect(statements.closeAll()).toBeUndefined();
    statements.scope(message('P', 'a\0', 'SELECT 1\0', NO_PARAMETER_TYPES));
    statements.scope(message('P', 'b\0', 'SELECT 2\0', NO_PARAMETER_TYPES));
    statements.scope(message('P', 'a\0', 'SELECT 1\0', NO_PARAMETER_TYPES)); // a name parsed twice is closed once
    expect(Buffer.from(statements.closeAll()!)).toEqual(Buffer.concat([message('C', 'S', 'c12:a\0'), message('C', 'S', 'c12:b\0'), message('S')]));
    expect(statements.closeAll()).toBeUndefined();
  });
});
