export { DEFAULT_AUDITED_SCOPES, applyFieldReads, forEachParentAt, planFieldReads, type FieldRead, type FieldReadPlan, type FieldReadSummary } from './fieldReads.js';
export { PII_MASKS, maskEmail, maskName, maskPhone, maskTaxId, maskValue, redact, type PiiMask } from '../../platform/auth/masks.js';
