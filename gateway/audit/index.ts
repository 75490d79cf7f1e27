export {
  AUDIT_MIGRATIONS_DIR,
  createAuditLog,
  listFieldReads,
  migrateAudit,
  operationHash,
  type AuditLog,
  type AuditLogOptions,
  type FieldReadFilter,
  type FieldReadRecord,
  type FieldReadRow,
} from './auditLog.js';
