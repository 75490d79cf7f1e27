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
  // Each pair is coded as i * n + j (exact in a double up to n ≈ 9.4e7) in
  // growing typed arrays, then sorted and deduplicated: a Set of tens of
  // millions of pairs would exceed V8's Set size limit and cost gigabytes.
  let codes = new Float64Array(1 << 16);
  let count = 0;
  const push = (code: number) => {
    if (count === codes.length) { const grown = new Float64Array(codes.length * 2); grown.set(codes); codes = grown; }
    codes[count++] = code;
  };
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
        const base = block[a] * n; // i < j since indexes were pushed in order
        for (let b = a + 1; b < block.length; b++) push(base + block[b]);
      }
    }
  }
  const sorted = codes.subarray(0, count).sort();
  let unique = 0;
  for (let p = 0; p < count; p++) if (p === 0 || sorted[p] !== sorted[p - 1]) unique++;
  const out = new Uint32Array(unique * 2);
  let o = 0;
  for (let p = 0; p < count; p++) {
    if (p > 0 && sorted[p] === sorted[p - 1]) continue;
    const i = Math.floor(sorted[p] / n);
    out[o++] = i; out[o++] = sorted[p] - i * n;
  }
  return out;
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
