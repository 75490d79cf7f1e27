/**
 * The reconciliation engine: jobs that compare the ERP, the CRM and the MDM
 * (orders and invoices, attributes, coverage) and profile data quality, with
 * findings kept in PostgreSQL (schema recon) under stable ids. Like the MDM
 * engine it imports no service: it reads the ERP with SQL, the CRM through
 * its HubSpot API and the MDM store with SQL.
 */
export { DEFAULT_RECONCILE_CONFIG, readReconcileConfig, resolveReconcileConfig, type ReconcileConfig, type ReconcileRules } from './config.js';
export { ReconError, ReconErrorCodes, isReconError, type ReconErrorCode } from './errors.js';
export { findingId, refSet, sourceRef, FINDING_ID_PATTERN } from './findingId.js';
export { Reconciler, JOBS, type ReconcilerDeps, type RunRequest } from './runner.js';
export { scheduleReconciliation, type ReconcileSchedule } from './scheduler.js';
export { migrateRecon, RECON_MIGRATIONS_DIR } from './store/migrate.js';
export { listRuns, readRun, type RunRow } from './store/runs.js';
export {
  listFindings, readFinding, readFindingEvents, summariseFindings, mismatchByMonth, transitionFinding, checkFilter,
  type Finding, type FindingEvent, type FindingFilter, type TransitionInput,
} from './store/findings.js';
export { latestProfile, profileTrend, type ProfileRow } from './store/profiles.js';
export { COMPARED_ATTRIBUTES } from './jobs/attributes.js';
export * from './types.js';
