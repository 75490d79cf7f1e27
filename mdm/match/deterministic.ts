import type { EntityConfig } from '../entities/types.js';
import type { ClusterEdge } from '../cluster/index.js';
import type { StandardisedRecord } from '../types.js';

/**
 * The deterministic matcher: two records match when one of the config's
 * rules finds equal standardised values on all its attributes (e.g. name and
 * tax id). Used by the first load when no model is wanted, and as a baseline.
 */
export function deterministicEdges(records: StandardisedRecord[], config: EntityConfig): ClusterEdge[] {
  const edges: ClusterEdge[] = [];
  for (const rule of config.deterministic) {
    const groups = new Map<string, string[]>();
    for (const r of records) {
      const values = rule.map((a) => r.std[a]);
      if (values.some((v) => v === null || v === undefined)) continue;
      const key = JSON.stringify(values);
      (groups.get(key) ?? groups.set(key, []).get(key)!).push(r.key);
    }
    const name = `deterministic:${rule.join('+')}`;
    for (const keys of groups.values()) {
      // A star to the first key is enough for connectivity.
      for (let i = 1; i < keys.length; i++) edges.push({ left: keys[0], right: keys[i], weight: 100, probability: 1, rule: name });
    }
  }
  return edges;
}
