import type { EntityConfig } from './types.js';

/**
 * Customers (companies) from the ERP and the CRM. Tax id, web domain and
 * phone are near-identifiers; the name carries the rest, compared after
 * legal forms and abbreviations are folded away.
 */
export const customerConfig: EntityConfig = {
  entityType: 'customer',
  idPrefix: 'cus_',
  attributes: {
    name: { standardise: 'companyName' },
    taxId: { standardise: 'taxId', validate: 'taxId' },
    primaryEmail: { standardise: 'email', validate: 'email' },
    domain: { standardise: 'companyDomain' },
    phone: { standardise: 'phone', validate: 'phone' },
    street: { standardise: 'street' },
    city: { standardise: 'city' },
    postcode: { standardise: 'postcode' },
    country: { standardise: 'country' },
    // Derived: the legal form the name ends with (the name itself is compared without it).
    legalForm: { standardise: 'legalForm', from: ['name'] },
    // Derived: the name again, for the word-by-word check below (the name comparison itself is fuzzy).
    nameWords: { standardise: 'companyName', from: ['name'] },
    // Derived: the name again, its words counted by the engine, for the generic-name-in-another-city check below.
    genericName: { standardise: 'companyName', from: ['name'] },
  },
  blocking: [
    { name: 'taxId', keys: [{ attribute: 'taxId' }] },
    { name: 'domain', keys: [{ attribute: 'domain' }] },
    { name: 'phone', keys: [{ attribute: 'phone' }] },
    { name: 'email', keys: [{ attribute: 'primaryEmail' }] },
    { name: 'name', keys: [{ attribute: 'name', transform: 'sortedTokens' }] },
    { name: 'name-sound+postcode', keys: [{ attribute: 'name', transform: 'metaphone' }, { attribute: 'postcode' }] },
    { name: 'name-prefix+city', keys: [{ attribute: 'name', transform: 'prefix:4' }, { attribute: 'city', transform: 'prefix:3' }] },
    // A typo early in the name defeats the name rules; the address still meets.
    { name: 'street+city', keys: [{ attribute: 'street' }, { attribute: 'city', transform: 'prefix:3' }] },
  ],
  comparisons: [
    { attribute: 'name', termFrequency: true, levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.95 }, { kind: 'tokenSet', min: 0.75 }, { kind: 'jaroWinkler', min: 0.85 }] },
    // Two valid tax ids that differ are two legal entities; an invalid one a step off is a typo.
    // A shared valid tax id decides: the cluster step never separates the two (see mdm/cluster).
    { attribute: 'taxId', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }], conflictWeight: -10, identifier: true },
    // Near-equal domains and emails are other registrations (acme.com, acme-us.com, acme.de), not typos: exact or not.
    // Two different domains or two different valid phones are evidence of two companies at any size: a fixed
    // weight, since EM over hundreds of thousands of companies learns "same city" instead and lets them differ.
    { attribute: 'domain', termFrequency: true, levels: [{ kind: 'exact' }], conflictWeight: -4 },
    { attribute: 'primaryEmail', levels: [{ kind: 'exact' }] },
    { attribute: 'phone', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }], conflictWeight: -4 },
    { attribute: 'street', levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }, { kind: 'tokenSet', min: 0.6 }] },
    { attribute: 'city', termFrequency: true, levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }] },
    { attribute: 'postcode', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }] },
    { attribute: 'country', levels: [{ kind: 'exact' }] },
    // Negative evidence only: thousands of GmbHs share a legal form, but "Müller AG" and "Müller GmbH" are two companies.
    { attribute: 'legalForm', levels: [{ kind: 'exact' }], conflictWeight: -8, agreeWeight: 0 },
    // Negative evidence only: a word one name has and the other lacks (no typo, no abbreviation of it) is the
    // parent/subsidiary or sister pattern ("Vectorfield Industries" / "Vectorfield Services", "X" / "X Holdings").
    { attribute: 'nameWords', levels: [{ kind: 'sameNameWords' }], conflictWeight: -8, agreeWeight: 0 },
    // Negative evidence only: a generic name (only common words: "Global Trading", "Janssens Services", a brand
    // many companies bear) in two different cities is two companies; a distinctive one is one that moved or has a
    // branch. Generic: at least 10 records expected to hold all its words by their counts (some five companies of
    // two records each; see genericNames.ts). −4 bits like a different domain or phone: companies do move and
    // systems do keep branch addresses, so weaker than a different legal form (−8) or tax id (−10).
    { attribute: 'genericName', levels: [{ kind: 'distinctiveOrSamePlace', place: 'city', commonRecords: 10 }], conflictWeight: -4, agreeWeight: 0 },
  ],
  thresholds: { merge: 0.95, review: 0.6 },
  // Every scored pair between two clusters must support a join: a chain whose ends disagree (A~B, B~C, A≠C) stays apart.
  cluster: { minCrossSupport: 1 },
  deterministic: [['name', 'taxId'], ['name', 'domain']],
  survivorship: {
    sourceTrust: ['erp', 'crm'],
    attributes: {
      name: { rule: 'trust' },
      taxId: { rule: 'trust', validatedFirst: true, standardised: true },
      primaryEmail: { rule: 'recent', validatedFirst: true, standardised: true },
      domain: { rule: 'frequent', standardised: true },
      phone: { rule: 'recent', validatedFirst: true, standardised: true },
      street: { rule: 'trust' },
      city: { rule: 'trust' },
      postcode: { rule: 'trust' },
      country: { rule: 'frequent', standardised: true },
    },
  },
};
