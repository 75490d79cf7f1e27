import type { EntityConfig } from './types.js';

/**
 * Products from the ERP (default_code = SKU, barcode = GTIN) and the CRM
 * (hs_sku). SKU and GTIN are near-identifiers; the ERP's SKU survives since
 * other subgraphs key Product by it.
 */
/** Word-cosine levels from 0.95 down to 0.2 in steps of 0.05. */
const COSINE_STEPS = Array.from({ length: 16 }, (_, i) => Math.round((0.95 - i * 0.05) * 100) / 100);
/** Trigram-cosine levels from 0.9 down to 0.2 in steps of 0.1. */
const GRAM_STEPS = Array.from({ length: 8 }, (_, i) => Math.round((0.9 - i * 0.1) * 100) / 100);

export const productConfig: EntityConfig = {
  entityType: 'product',
  idPrefix: 'prd_',
  attributes: {
    sku: { standardise: 'sku' },
    gtin: { standardise: 'gtin', validate: 'gtin' },
    name: { standardise: 'text' },
    listPrice: { standardise: 'number' },
    manufacturer: { standardise: 'companyName' },
    description: { standardise: 'text' },
    // Derived for matching: the brand and name's words (stemmed, codes joined), and the model numbers in the name.
    words: { standardise: 'productText', from: ['manufacturer', 'name'] },
    modelNumber: { standardise: 'modelNumbers', from: ['name'] },
    // The brand and name's character trigrams, words run together: "print shop" meets "printshop".
    grams: { standardise: 'productGrams', from: ['manufacturer', 'name'] },
  },
  blocking: [
    { name: 'sku', keys: [{ attribute: 'sku' }] },
    { name: 'gtin', keys: [{ attribute: 'gtin' }] },
    { name: 'name', keys: [{ attribute: 'name', transform: 'sortedTokens' }] },
    { name: 'name-prefix', keys: [{ attribute: 'name', transform: 'prefix:6' }] },
    { name: 'sku-prefix+name', keys: [{ attribute: 'sku', transform: 'prefix:4' }, { attribute: 'name', transform: 'initial' }] },
    // Catalogues without shared codes meet on a rare word or a model number; a word in more products than this finds nobody.
    // (160 and the near-best slack below were chosen on half of the Amazon-Google labels and checked on the other half:
    // bench/mdm-products.ts, bench/mdm-accuracy.md.)
    { name: 'model-number', keys: [{ attribute: 'modelNumber', transform: 'tokens' }], maxBlockSize: 160 },
    { name: 'rare-word', keys: [{ attribute: 'words', transform: 'tokens' }], maxBlockSize: 160 },
  ],
  comparisons: [
    // Catalogues number SKUs in sequence (ACM-10042, ACM-10043): a near SKU is another product, so no fuzzy level.
    { attribute: 'sku', levels: [{ kind: 'exact' }], conflictWeight: -10, identifier: true },
    // A GTIN one digit off is a typo only when its check digit fails; two valid GTINs that differ are a conflict.
    { attribute: 'gtin', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }], conflictWeight: -10, identifier: true },
    // Brand and name words, rare ones weighing more (TF-IDF over the catalogue): "dscw120" says more than "camera".
    // Fine steps, so that the best counterpart stands out from the next best (one-to-one linkage ranks by weight).
    { attribute: 'words', monotone: true, levels: [{ kind: 'exact' }, ...COSINE_STEPS.map((min) => ({ kind: 'wordCosine' as const, min }))] },
    // Both names carry model numbers or versions: all shared, some shared, none shared (CS3 vs CS4: another product).
    // The same text as trigrams (rare ones weighing more): catches words split, joined or misspelt differently.
    { attribute: 'grams', monotone: true, levels: [{ kind: 'exact' }, ...GRAM_STEPS.map((min) => ({ kind: 'wordCosine' as const, min }))] },
    { attribute: 'modelNumber', monotone: true, levels: [{ kind: 'exact' }, { kind: 'tokenContainment', min: 1 }, { kind: 'tokenContainment', min: 0.01 }] },
    // Weak evidence: shops price the same product differently, and in other currencies.
    { attribute: 'listPrice', monotone: true, levels: [{ kind: 'ratio', max: 1.001 }, { kind: 'ratio', max: 1.15 }, { kind: 'ratio', max: 1.6 }] },
    { attribute: 'manufacturer', levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }] },
    { attribute: 'description', monotone: true, levels: [{ kind: 'exact' }, { kind: 'wordCosine', min: 0.6 }, { kind: 'wordCosine', min: 0.3 }] },
  ],
  thresholds: { merge: 0.95, review: 0.6 },
  // Two catalogues, each listing a product once: best mutual matches, not transitive clusters.
  model: { scale: 'candidates' },
  cluster: { oneToOne: { nearBestBits: 2, strongWithinWeight: 20, minEvidenceBits: 0 } },
  deterministic: [['sku'], ['gtin']],
  survivorship: {
    sourceTrust: ['erp', 'crm'],
    attributes: {
      sku: { rule: 'trust' },
      gtin: { rule: 'trust', validatedFirst: true },
      name: { rule: 'trust' },
      listPrice: { rule: 'trust' },
      manufacturer: { rule: 'complete' },
      description: { rule: 'complete' },
    },
  },
};
