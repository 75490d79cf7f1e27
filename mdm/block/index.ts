import { phoneticKey } from '../compare/metrics.js';
import type { BlockingRule, BlockingTransform } from '../entities/types.js';
import type { StandardisedRecord } from '../types.js';

/**
 * Block step: only records sharing a blocking key are compared. Several rules
 * (tax id; phonetic name + postcode; …) each catch the matches the others
 * miss; their candidate pairs are united and deduplicated.
 *
 * Returns pairs as a flat array [i0, j0, i1, j1, …] of record indexes, i < j,
 * which keeps a few million pairs compact.
 */
export function blockCandidatePairs(records: StandardisedRecord[], rules: BlockingRule[]): Uint32Array {
  const n = records.length;
  const seen = new Set<number>();
  const out: number[] = [];
  for (const rule of rules) {
    const blocks = new Map<string, number[]>();
    for (let i = 0; i < n; i++) {
      const key = blockingKey(records[i], rule);
      if (key === null) continue;
      const block = blocks.get(key);
      if (block) block.push(i); else blocks.set(key, [i]);
    }
    const max = rule.maxBlockSize ?? 300;
    for (const block of blocks.values()) {
      if (block.length < 2 || block.length > max) continue;
      for (let a = 0; a < block.length; a++) {
        for (let b = a + 1; b < block.length; b++) {
          const i = block[a]; const j = block[b];
          const id = i * n + j; // i < j since indexes were pushed in order
          if (seen.has(id)) continue;
          seen.add(id);
          out.push(i, j);
        }
      }
    }
  }
  return Uint32Array.from(out);
}

/** The record's key under one rule, or null when any part is missing. */
export function blockingKey(record: StandardisedRecord, rule: BlockingRule): string | null {
  const parts: string[] = [];
  for (const { attribute, transform } of rule.keys) {
    const value = record.std[attribute];
    if (value === null || value === undefined || value === '') return null;
    const part = transformValue(value, transform ?? 'exact');
    if (part === '') return null;
    parts.push(part);
  }
  return parts.join('\u0001');
}

export function transformValue(value: string, transform: BlockingTransform): string {
  if (transform === 'exact') return value;
  if (transform === 'metaphone') return phoneticKey(value);
  if (transform === 'firstToken') return value.split(' ')[0];
  if (transform === 'lastToken') return value.split(' ').pop() ?? '';
  if (transform === 'sortedTokens') return value.split(' ').sort().join(' ');
  if (transform === 'initial') return value.slice(0, 1);
  const prefix = /^prefix:(\d+)$/.exec(transform);
  if (prefix) return value.slice(0, Number(prefix[1]));
  return value;
}
