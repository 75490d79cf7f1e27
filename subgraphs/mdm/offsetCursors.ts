import { badUserInput } from './mdmErrors.js';

/**
 * Cursors of the offset-paged lists (search, review queue): opaque to
 * clients, base64url of `offset:<n>` — the format the engine's own
 * `searchGoldenRecords` and `listReviewQueue` accept as `after` and return
 * as `endCursor` (mdm/store/read.ts, stewardship.ts), so a cursor passes
 * through unchanged. Kept here once so each edge can get its own cursor;
 * the steward tests page through both lists and would catch a drift.
 */
export function encodeOffsetCursor(offset: number): string {
  return Buffer.from(`offset:${offset}`, 'utf8').toString('base64url');
}

export function decodeOffsetCursor(cursor: string, argumentName = 'after'): number {
  const match = /^offset:(\d{1,9})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badUserInput(`"${argumentName}" is not a cursor this list returned: ${JSON.stringify(cursor)}`, argumentName);
  return Number(match[1]);
}
