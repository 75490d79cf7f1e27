/**
 * The sandbox seed generator: deterministic ERP, CRM and ground-truth data
 * for a seed, from a demo (a few thousand companies) to benchmark size.
 */
export { seedSandbox, DEFAULT_COMPANIES, DEFAULT_SEED, type SeedOptions, type SeedSummary } from './seedSandbox.js';
export { SeedError, type SeedErrorCode } from './errors.js';
export { SHOWCASE } from './showcase.js';
export { isValidGtin13, gtin13CheckDigit } from './checkDigits.js';
export { ASSOCIATION_TYPES } from './records.js';
