import type { EntityConfig } from './types.js';

/**
 * Products from the ERP (default_code = SKU, barcode = GTIN) and the CRM
 * (hs_sku). SKU and GTIN are near-identifiers; the ERP's SKU survives since
 * other subgraphs key Product by it.
 */
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
  },
  blocking: [
    { name: 'sku', keys: [{ attribute: 'sku' }] },
    { name: 'gtin', keys: [{ attribute: 'gtin' }] },
    { name: 'name', keys: [{ attribute: 'name', transform: 'sortedTokens' }] },
    { name: 'name-prefix', keys: [{ attribute: 'name', transform: 'prefix:6' }] },
    { name: 'sku-prefix+name', keys: [{ attribute: 'sku', transform: 'prefix:4' }, { attribute: 'name', transform: 'initial' }] },
  ],
  comparisons: [
    // Catalogues number SKUs in sequence (ACM-10042, ACM-10043): a near SKU is another product, so no fuzzy level.
    { attribute: 'sku', levels: [{ kind: 'exact' }], conflictWeight: -10 },
    // A GTIN one digit off is a typo only when its check digit fails; two valid GTINs that differ are a conflict.
    { attribute: 'gtin', levels: [{ kind: 'exact' }, { kind: 'damerau', max: 1 }], conflictWeight: -10 },
    // Containment: one system prefixes the manufacturer ("Brandt Threaded Rod M5x50" vs "Threaded Rod M5x50").
    { attribute: 'name', termFrequency: true, levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.94 }, { kind: 'tokenSet', min: 0.7 }, { kind: 'tokenContainment', min: 1 }, { kind: 'jaroWinkler', min: 0.85 }] },
    { attribute: 'listPrice', levels: [{ kind: 'numeric', maxRelative: 0.001 }, { kind: 'numeric', maxRelative: 0.1 }] },
    { attribute: 'manufacturer', levels: [{ kind: 'exact' }, { kind: 'jaroWinkler', min: 0.9 }] },
    { attribute: 'description', levels: [{ kind: 'exact' }, { kind: 'tokenSet', min: 0.6 }] },
  ],
  thresholds: { merge: 0.95, review: 0.6 },
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
