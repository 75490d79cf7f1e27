import type { ComparisonConfig } from '../entities/types.js';
import type { StandardisedRecord } from '../types.js';

/**
 * Whether two records hold the same value of a strong identifier (a
 * comparison marked `identifier`: SKU, GTIN, tax id), valid on both where the
 * attribute has a validator (a value failing its check digit may be a typo
 * of another one, and decides nothing). The cluster step joins such a
 * pair's accepted link first and the guard against chaining never refuses it.
 */
export function sharesIdentifier(a: StandardisedRecord, b: StandardisedRecord, comparisons: readonly ComparisonConfig[]): boolean {
  for (const c of comparisons) {
    if (!c.identifier) continue;
    const value = a.std[c.attribute];
    if (value === null || value === undefined || value === '' || value !== b.std[c.attribute]) continue;
    if (a.valid[c.attribute] === false || b.valid[c.attribute] === false) continue;
    return true;
  }
  return false;
}
