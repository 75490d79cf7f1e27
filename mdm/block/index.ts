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
    const multi = rule.keys.some((k) => k.transform === 'tokens');
    const add = (key: string, i: number) => { const block = blocks.get(key); if (block) block.push(i); else blocks.set(key, [i]); };
    for (let i = 0; i < n; i++) {
      if (!multi) { const key = singleKey(records[i], rule); if (key !== null) add(key, i); continue; }
      for (const key of blockingKeys(records[i], rule)) add(key, i);
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

/** The record's key under one rule, or null when any part is missing (a rule with a 'tokens' part: its first key). */
export function blockingKey(record: StandardisedRecord, rule: BlockingRule): string | null {
  return rule.keys.some((k) => k.transform === 'tokens') ? blockingKeys(record, rule)[0] ?? null : singleKey(record, rule);
}

/** The one key of a rule without a 'tokens' part (no arrays: millions of records go through here). */
function singleKey(record: StandardisedRecord, rule: BlockingRule): string | null {
  let key = '';
  for (let k = 0; k < rule.keys.length; k++) {
    const { attribute, transform } = rule.keys[k];
    const value = record.std[attribute];
    if (value === null || value === undefined || value === '') return null;
    const part = transformValue(value, transform ?? 'exact');
    if (part === '') return null;
    key = k === 0 ? part : `${key}\u0001${part}`;
  }
  return key;
}

/**
 * The record's keys under one rule: none when any part is missing, one for
 * single-valued transforms, one per word for 'tokens' (blocking by rare words
 * and model numbers: a word in more records than the rule's maxBlockSize is
 * too common to find anyone, and its block is skipped).
 */
export function blockingKeys(record: StandardisedRecord, rule: BlockingRule): string[] {
  if (!rule.keys.some((k) => k.transform === 'tokens')) { const key = singleKey(record, rule); return key === null ? [] : [key]; }
  let keys = [''];
  for (let k = 0; k < rule.keys.length; k++) {
    const { attribute, transform } = rule.keys[k];
    const value = record.std[attribute];
    if (value === null || value === undefined || value === '') return [];
    const parts = transform === 'tokens' ? [...new Set(value.split(' '))].filter((t) => t !== '') : [transformValue(value, transform ?? 'exact')];
    if (parts.length === 0 || parts[0] === '') return [];
    keys = k === 0 ? parts : keys.flatMap((prefix) => parts.map((part) => `${prefix}\u0001${part}`));
  }
  return keys;
}

export function transformValue(value: string, transform: BlockingTransform): string {
  if (transform === 'exact') return value;
  if (transform === 'metaphone') return phoneticKey(value);
  if (transform === 'firstToken') return value.split(' ')[0];
  if (transform === 'lastToken') return value.split(' ').pop() ?? '';
  if (transform === 'sortedTokens') return value.split(' ').sort().join(' ');
  if (transform === 'tokens') return value.split(' ')[0];
  if (transform === 'initial') return value.slice(0, 1);
  const prefix = /^prefix:(\d+)$/.exec(transform);
  if (prefix) return value.slice(0, Number(prefix[1]));
  return value;
}
