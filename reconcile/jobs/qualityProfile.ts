import { isE164, isValidEmail, isValidGtin, isValidTaxId } from '../../mdm/standardise/index.js';
import { readSourceRecords } from '../sources/mdm.js';
import type { FieldProfile, Job } from '../types.js';

/**
 * The data-quality profile per source and field, over the MDM's last seen
 * copy of every source record (raw as the source sent it, and standardised):
 * completeness (present / records), validity (present values passing the
 * field's rule: tax-id check digits, email syntax, a phone that makes an
 * E.164 number, a country that names an ISO code, a GTIN check digit) and
 * uniqueness (distinct standardised values / present). Kept per run, so the
 * trend shows whether a source gets better or worse.
 */
const FIELDS = {
  customer: ['name', 'taxId', 'primaryEmail', 'domain', 'phone', 'street', 'city', 'postcode', 'country'],
  product: ['sku', 'gtin', 'name', 'listPrice', 'description'],
} as const;

const RULES: Record<string, (standardised: string | null) => boolean> = {
  taxId: isValidTaxId,
  primaryEmail: isValidEmail,
  phone: isE164,
  country: (value) => value !== null && /^[A-Z]{2}$/.test(value),
  gtin: isValidGtin,
};

export const profileQuality: Job = async ({ pool }) => {
  const profiles: FieldProfile[] = [];
  for (const entityType of ['customer', 'product'] as const) {
    const records = await readSourceRecords(pool, entityType);
    const systems = [...new Set(records.map((r) => r.system))].sort();
    for (const system of systems) {
      const own = records.filter((r) => r.system === system);
      for (const field of FIELDS[entityType]) {
        let present = 0;
        let valid = 0;
        const distinct = new Set<string>();
        for (const r of own) {
          const raw = r.attributes[field];
          if (raw === null || raw === undefined || String(raw).trim() === '') continue;
          present++;
          const std = r.standardized[field] ?? null;
          if (std !== null) distinct.add(std);
          if (RULES[field]?.(std)) valid++;
        }
        profiles.push({ system, entityType, field, records: own.length, present, valid: RULES[field] ? valid : null, distinctValues: distinct.size });
      }
    }
  }
  return { findings: [], profiles };
};
