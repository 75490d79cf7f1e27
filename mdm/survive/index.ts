import type { SurvivorshipConfig } from '../entities/types.js';
import type { AttributeValue, StandardisedRecord } from '../types.js';

/** Where a golden value came from: stored per attribute in golden_record.provenance. */
export interface Provenance {
  system: string;
  sourceId: string;
  /** The survivorship rule that chose it, e.g. 'trust', 'validated+recent'. */
  rule: string;
}

export interface GoldenValues {
  attributes: Record<string, AttributeValue>;
  provenance: Record<string, Provenance>;
}

/**
 * Survive step: one value per attribute from a cluster's source records.
 * Rules, applied after dropping empty values (and, with validatedFirst,
 * before them the values that fail their validator):
 * - trust: the most trusted source system (config order), then most recent;
 * - recent: the most recently updated source record;
 * - complete: the longest value (most information);
 * - frequent: the standardised value most records agree on.
 * Ties fall to the lower source key, so the winner is deterministic.
 */
export function surviveGoldenValues(records: StandardisedRecord[], config: SurvivorshipConfig): GoldenValues {
  const attributes: Record<string, AttributeValue> = {};
  const provenance: Record<string, Provenance> = {};
  const ordered = [...records].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const [name, spec] of Object.entries(config.attributes)) {
    let pool = ordered.filter((r) => r.std[name] !== null && r.std[name] !== undefined && isPresent(r.attributes[name]));
    let rule: string = spec.rule;
    if (spec.validatedFirst) {
      const validated = pool.filter((r) => r.valid[name]);
      if (validated.length > 0) { pool = validated; rule = `validated+${spec.rule}`; }
    }
    if (pool.length === 0) { attributes[name] = null; continue; }
    const winner = pickWinner(pool, name, spec.rule, config.sourceTrust);
    attributes[name] = spec.standardised ? winner.std[name] : (winner.attributes[name] ?? null);
    provenance[name] = { system: winner.system, sourceId: winner.sourceId, rule };
  }
  return { attributes, provenance };
}

function pickWinner(pool: StandardisedRecord[], name: string, rule: string, trust: string[]): StandardisedRecord {
  const recency = (r: StandardisedRecord) => (r.updatedAt ? Date.parse(r.updatedAt) || 0 : 0);
  const rank = (r: StandardisedRecord) => { const i = trust.indexOf(r.system); return i < 0 ? trust.length : i; };
  switch (rule) {
    case 'trust':
      return best(pool, (a, b) => rank(a) - rank(b) || recency(b) - recency(a));
    case 'recent':
      return best(pool, (a, b) => recency(b) - recency(a) || rank(a) - rank(b));
    case 'complete':
      return best(pool, (a, b) => String(b.attributes[name]).length - String(a.attributes[name]).length || rank(a) - rank(b));
    case 'frequent': {
      const counts = new Map<string, number>();
      for (const r of pool) counts.set(r.std[name]!, (counts.get(r.std[name]!) ?? 0) + 1);
      return best(pool, (a, b) => counts.get(b.std[name]!)! - counts.get(a.std[name]!)! || rank(a) - rank(b) || recency(b) - recency(a));
    }
    default:
      return pool[0];
  }
}

/** The first record under the ordering; stable, so ties keep key order. */
function best<T>(items: T[], compare: (a: T, b: T) => number): T {
  let winner = items[0];
  for (let i = 1; i < items.length; i++) if (compare(items[i], winner) < 0) winner = items[i];
  return winner;
}

function isPresent(value: AttributeValue | undefined): boolean {
  return value !== null && value !== undefined && String(value).trim() !== '';
}
