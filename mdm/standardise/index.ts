import type { AttributeValue, SourceRecord, StandardisedRecord } from '../types.js';
import { sourceKey } from '../types.js';
import {
  FREE_MAIL_DOMAINS, isE164, isValidEmail, standardiseCity, standardiseCountry, standardiseDomain, standardiseEmail,
  standardisePhone, standardisePostcode, standardiseStreet,
} from './contact.js';
import {
  isValidGtin, isValidTaxId, standardiseDate, standardiseGtin, standardiseNumber, standardiseSku, standardiseTaxId,
} from './identifiers.js';
import { standardiseCompanyName, standardiseLegalForm, standardiseName } from './organisation.js';
import { standardiseModelNumbers, standardiseProductGrams, standardiseProductText } from './product.js';
import { foldCode, foldText } from './text.js';

export * from './contact.js';
export * from './identifiers.js';
export * from './organisation.js';
export * from './product.js';
export * from './text.js';

/**
 * The standardisers an entity configuration can name (configs stay plain
 * data). Each gets the attribute's raw value and the record's standardised
 * country, for national phone and tax-id formats.
 */
export const STANDARDISERS = {
  text: (v: AttributeValue) => foldText(asText(v)),
  code: (v: AttributeValue) => foldCode(asText(v)),
  companyName: (v: AttributeValue) => standardiseCompanyName(asText(v)),
  /** The legal form a company name ends with, as a class ("G.m.b.H." → gmbh); null when none is written. */
  legalForm: (v: AttributeValue, country: string | null) => standardiseLegalForm(asText(v), country),
  personName: (v: AttributeValue) => standardiseName(asText(v)),
  email: (v: AttributeValue) => standardiseEmail(asText(v)),
  domain: (v: AttributeValue) => standardiseDomain(asText(v)),
  /** A company's own web domain: free-mail domains (gmail.com) identify nobody. */
  companyDomain: (v: AttributeValue) => { const d = standardiseDomain(asText(v)); return d !== null && FREE_MAIL_DOMAINS.has(d) ? null : d; },
  phone: (v: AttributeValue, country: string | null) => standardisePhone(asText(v), country),
  postcode: (v: AttributeValue) => standardisePostcode(asText(v)),
  street: (v: AttributeValue) => standardiseStreet(asText(v)),
  city: (v: AttributeValue) => standardiseCity(asText(v)),
  country: (v: AttributeValue) => standardiseCountry(asText(v)),
  taxId: (v: AttributeValue, country: string | null) => standardiseTaxId(asText(v), country),
  gtin: (v: AttributeValue) => standardiseGtin(asText(v)),
  sku: (v: AttributeValue) => standardiseSku(asText(v)),
  number: (v: AttributeValue) => standardiseNumber(v),
  date: (v: AttributeValue) => standardiseDate(v),
  digits: (v: AttributeValue) => { const d = asText(v)?.replace(/\D/g, ''); return d ? d : null; },
  /** Product names and brands: folded, stemmed words, codes joined across punctuation (see product.ts). */
  productText: (v: AttributeValue) => standardiseProductText(asText(v)),
  /** Model numbers and versions found in a product text ("DSC-W120" → "dscw120"). */
  modelNumbers: (v: AttributeValue) => standardiseModelNumbers(asText(v)),
  /** A product text's character trigrams over its words run together ("print shop" = "printshop"; see product.ts). */
  productGrams: (v: AttributeValue) => standardiseProductGrams(asText(v)),
} satisfies Record<string, (value: AttributeValue, country: string | null) => string | null>;

export type StandardiserName = keyof typeof STANDARDISERS;

/** Validators behind survivorship's "validated values first". */
export const VALIDATORS = {
  email: isValidEmail,
  phone: isE164,
  taxId: isValidTaxId,
  gtin: isValidGtin,
} satisfies Record<string, (standardised: string | null) => boolean>;

export type ValidatorName = keyof typeof VALIDATORS;

export interface AttributeStandardisation {
  standardise: StandardiserName;
  validate?: ValidatorName;
  /**
   * A derived attribute: standardise these raw attributes' values joined by a
   * space instead of an attribute of this name (e.g. a product's words from
   * its manufacturer and name, its model numbers from its name). Derived
   * attributes are for matching; survivorship keeps the raw ones.
   */
  from?: string[];
}

/**
 * Standardise step: raw source values → the comparable form each attribute's
 * configuration names. The country is standardised first since phone and tax
 * id formats depend on it.
 */
export function standardiseRecord(
  record: SourceRecord,
  attributes: Record<string, AttributeStandardisation>,
): StandardisedRecord {
  const country = 'country' in attributes ? standardiseCountry(asText(record.attributes.country ?? null)) : null;
  const std: Record<string, string | null> = {};
  const valid: Record<string, boolean> = {};
  for (const { name, spec, sameAs } of standardisationPlan(attributes)) {
    if (sameAs !== undefined) { std[name] = std[sameAs]; continue; }
    const raw = spec.from ? joinValues(spec.from.map((a) => record.attributes[a] ?? null)) : record.attributes[name] ?? null;
    const value = STANDARDISERS[spec.standardise](raw, country);
    std[name] = value;
    if (spec.validate) valid[name] = VALIDATORS[spec.validate](value);
  }
  return { ...record, key: sourceKey(record.system, record.sourceId), std, valid };
}

const plans = new WeakMap<Record<string, AttributeStandardisation>, { name: string; spec: AttributeStandardisation; sameAs?: string }[]>();

/**
 * The attributes in order, each derived one that repeats an earlier one's
 * standardisation (same standardiser, same sources, no validator) marked to
 * copy its value: a company's name is derived twice more (nameWords,
 * genericName) for comparisons of its own, and each standardisation of it
 * is about a tenth of the standardise step.
 */
function standardisationPlan(attributes: Record<string, AttributeStandardisation>): { name: string; spec: AttributeStandardisation; sameAs?: string }[] {
  let plan = plans.get(attributes);
  if (!plan) {
    const seen = new Map<string, string>();
    plan = Object.entries(attributes).map(([name, spec]) => {
      if (!spec.from || spec.validate) return { name, spec };
      const signature = `${spec.standardise}\u0000${spec.from.join('\u0000')}`;
      const sameAs = seen.get(signature);
      if (sameAs === undefined) seen.set(signature, name);
      return sameAs === undefined ? { name, spec } : { name, spec, sameAs };
    });
    plans.set(attributes, plan);
  }
  return plan;
}

function joinValues(values: AttributeValue[]): string | null {
  const present = values.map(asText).filter((v): v is string => v !== null && v.trim() !== '');
  return present.length === 0 ? null : present.join(' ');
}

function asText(value: AttributeValue): string | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'number' ? String(value) : value;
}
