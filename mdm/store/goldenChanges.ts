import { stableStringify } from './json.js';
import type { StateSnapshot } from './snapshot.js';

/** One golden record's change, read off the state before and after an MDM transaction. */
export interface GoldenChange {
  masterId: string;
  entityType: string;
  kind: 'created' | 'updated' | 'merged' | 'split' | 'deleted';
  /** Golden attributes whose surviving value changed, and `sources` when its source records changed; sorted (empty for deleted). */
  changedFields: string[];
  /** The masters merged into this one, or split off from it. */
  relatedMasterIds: string[];
  /**
   * Values of the record's alternate keys (a product's `sku`) before and
   * after, for it and its related masters: caches that found it by such a key
   * drop exactly those entries. Absent for entities without alternate keys.
   */
  keys?: Record<string, string[]>;
}

/** Golden attributes other services look records up by besides the master id (the federated Product's @key sku). */
const ALTERNATE_KEYS: Readonly<Record<string, readonly string[]>> = { product: ['sku'] };

/**
 * What happened to each golden record between two snapshots of the same
 * scope, as downstream consumers want to hear it: a master that appears is
 * 'created' (and the master its records came from is 'split'); a master that
 * goes inactive is 'merged' into the active master that took its records,
 * else 'deleted'; an active master whose surviving values or source records
 * changed is 'updated' (a record joining it changes what `sources` answers). Masters that did not change are left out. Deterministic: sorted
 * by master id.
 */
export function goldenChangesBetween(before: StateSnapshot, after: StateSnapshot): GoldenChange[] {
  const was = new Map(before.golden.map((g) => [g.master_id as string, g]));
  const now = new Map(after.golden.map((g) => [g.master_id as string, g]));
  const masterBefore = new Map(before.xref.map((x) => [`${x.system}:${x.source_id}`, x.master_id as string]));
  const masterAfter = new Map(after.xref.map((x) => [`${x.system}:${x.source_id}`, x.master_id as string]));
  const active = (g: Record<string, unknown> | undefined) => g?.active === true;
  const membersOf = (rows: Record<string, unknown>[], id: string) => rows.filter((x) => x.master_id === id).map((x) => `${x.system}:${x.source_id}`).sort().join('|');
  const sourcesChanged = (id: string) => membersOf(before.xref, id) !== membersOf(after.xref, id);
  const changes = new Map<string, GoldenChange>();
  const changedFields = (a: Record<string, unknown> | undefined, b: Record<string, unknown> | undefined): string[] => {
    const left = (a?.attributes ?? {}) as Record<string, unknown>;
    const right = (b?.attributes ?? {}) as Record<string, unknown>;
    return [...new Set([...Object.keys(left), ...Object.keys(right)])]
      .filter((k) => stableStringify(left[k] ?? null) !== stableStringify(right[k] ?? null)).sort();
  };
  const ensure = (masterId: string, kind: GoldenChange['kind']): GoldenChange => {
    const existing = changes.get(masterId);
    if (existing) return existing;
    const g = now.get(masterId) ?? was.get(masterId)!;
    const fields = kind === 'deleted' ? [] : changedFields(active(was.get(masterId)) ? was.get(masterId) : undefined, now.get(masterId));
    if (kind !== 'deleted' && sourcesChanged(masterId)) fields.push('sources');
    const change: GoldenChange = { masterId, entityType: g.entity_type as string, kind, changedFields: fields.sort(), relatedMasterIds: [] };
    changes.set(masterId, change);
    return change;
  };
  for (const id of [...new Set([...was.keys(), ...now.keys()])].sort()) {
    const b = was.get(id);
    const a = now.get(id);
    if (!active(b) && active(a)) {
      ensure(id, 'created');
      // The records it took came from an active master: that one was split.
      for (const [key, m] of masterAfter) {
        const from = masterBefore.get(key);
        if (m === id && from && from !== id && active(now.get(from))) {
          const split = ensure(from, 'split');
          split.kind = 'split';
          if (!split.relatedMasterIds.includes(id)) split.relatedMasterIds.push(id);
        }
      }
    } else if (active(b) && !active(a)) {
      const into = [...masterBefore].filter(([, m]) => m === id).map(([key]) => masterAfter.get(key)).find((m) => m && m !== id && active(now.get(m)));
      if (into) {
        const merged = ensure(into, 'merged');
        merged.kind = 'merged';
        if (!merged.relatedMasterIds.includes(id)) merged.relatedMasterIds.push(id);
      } else {
        ensure(id, 'deleted');
      }
    } else if (active(b) && active(a) && (stableStringify(b!.attributes) !== stableStringify(a!.attributes) || sourcesChanged(id))) {
      ensure(id, 'updated');
    }
  }
  for (const c of changes.values()) {
    c.relatedMasterIds.sort();
    const keyNames = ALTERNATE_KEYS[c.entityType];
    if (!keyNames) continue;
    c.keys = {};
    for (const name of keyNames) {
      const values = new Set<string>();
      for (const id of [c.masterId, ...c.relatedMasterIds]) {
        for (const g of [was.get(id), now.get(id)]) {
          const value = (g?.attributes as Record<string, unknown> | undefined)?.[name];
          if (typeof value === 'string' || typeof value === 'number') values.add(String(value));
        }
      }
      c.keys[name] = [...values].sort();
    }
  }
  return [...changes.values()].sort((x, y) => (x.masterId < y.masterId ? -1 : 1));
}
