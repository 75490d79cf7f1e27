export {
  AUDIT_MIGRATIONS_DIR,
  listFieldReads,
  migrateAudit,
  operationHash,
  type FieldReadFilter,
  type FieldReadRecord,
  type FieldReadRow,
} from './auditLog.js';
export { openAuditSpool, type AuditSpool } from './auditSpool.js';
export {
  AUDIT_TIME_DEFAULTS, AuditUnavailableError, createDurableAuditLog, type AuditRecordOptions, type AuditRefusal, type AuditStored, type DurableAuditLog,
} from './durableAuditLog.js';
export { AUDIT_UNAVAILABLE, refuseAuditedFields } from './refuseAuditedFields.js';
