import { createHash } from 'node:crypto';

/**
 * A finding's id: derived from what it is about (its kind and key), never
 * from a run, so the same discrepancy found again is the same finding, and an
 * acknowledgement made last week still applies. 20 hex digits (80 bits) make
 * a collision among even billions of findings negligible.
 */
export function findingId(kind: string, key: string): string {
  return `fnd_${createHash('sha256').update(`${kind}\n${key}`).digest('hex').slice(0, 20)}`;
}

/** "erp:12", "crm:10000001": how finding keys name a source record (as the seed's truth does). */
export const sourceRef = (system: string, id: string | number): string => `${system}:${id}`;

/** The records of one golden record in one stable order, joined by "+". */
export const refSet = (refs: readonly string[]): string => [...refs].sort().join('+');

export const FINDING_ID_PATTERN = /^fnd_[0-9a-f]{20}$/;
