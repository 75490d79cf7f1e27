import { isValidEmail, standardiseCountry, standardiseEmail } from '../standardise/contact.js';
import { isValidTaxId, standardiseTaxId } from '../standardise/identifiers.js';
import type { SourceRecord } from '../types.js';

/**
 * Validation at ingestion: the rules a source record must pass before the
 * matcher sees it. A record that breaks one is quarantined with the rule
 * (mdm.quarantined_record) instead of being matched, and leaves quarantine
 * when a later change of it passes. Codes are stable: stewards filter on them.
 */
export const VALIDATION_RULES = {
  EMPTY_NAME: 'the record has no name',
  INVALID_TAX_ID: "the tax id's check digits (or format) are wrong for its country",
  UNKNOWN_COUNTRY: 'the country is not an ISO 3166-1 country',
  MALFORMED_EMAIL: 'the email address is not well formed',
} as const;

export type ValidationRule = keyof typeof VALIDATION_RULES;

export interface RuleViolation {
  rule: ValidationRule;
  attribute: string;
  /** What was wrong with which value, for the steward. */
  message: string;
}

const regionNames = new Intl.DisplayNames(['en'], { type: 'region' });

/** An ISO 3166-1 alpha-2 code Intl knows a region name for (not ZZ, not a withdrawn code it echoes back). */
export function isKnownCountry(code: string | null): boolean {
  if (code === null || !/^[A-Z]{2}$/.test(code)) return false;
  const name = regionNames.of(code);
  return Boolean(name) && name !== code && name !== 'Unknown Region';
}

const text = (value: unknown) => (value === null || value === undefined ? null : String(value).trim() || null);

/** Every rule the record breaks (empty when it may be matched). */
export function validateSourceRecord(record: SourceRecord): RuleViolation[] {
  const a = record.attributes;
  const violations: RuleViolation[] = [];
  if (text(a.name) === null) violations.push({ rule: 'EMPTY_NAME', attribute: 'name', message: 'name is empty' });
  if (record.entityType !== 'customer') return violations;
  const rawCountry = text(a.country);
  const country = rawCountry === null ? null : standardiseCountry(rawCountry);
  if (rawCountry !== null && !isKnownCountry(country)) {
    violations.push({ rule: 'UNKNOWN_COUNTRY', attribute: 'country', message: `country ${JSON.stringify(rawCountry)} is not an ISO 3166-1 country` });
  }
  const rawTaxId = text(a.taxId);
  if (rawTaxId !== null) {
    const taxId = standardiseTaxId(rawTaxId, isKnownCountry(country) ? country : null);
    if (!isValidTaxId(taxId)) violations.push({ rule: 'INVALID_TAX_ID', attribute: 'taxId', message: `tax id ${JSON.stringify(rawTaxId)} fails the check digits or format of ${taxId?.slice(0, 2) ?? 'its country'}` });
  }
  const rawEmail = text(a.primaryEmail);
  if (rawEmail !== null && !isValidEmail(standardiseEmail(rawEmail))) {
    violations.push({ rule: 'MALFORMED_EMAIL', attribute: 'primaryEmail', message: `email ${JSON.stringify(rawEmail)} is not well formed` });
  }
  return violations;
}
