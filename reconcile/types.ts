import type pg from 'pg';
import type { HttpClient } from '../platform/http/index.js';
import type { ReconcileConfig } from './config.js';

/** The jobs, by concern. */
export const JOB_NAMES = ['ordersInvoices', 'attributes', 'coverage', 'qualityProfile'] as const;
export type JobName = (typeof JOB_NAMES)[number];

/** Every kind of finding, with the job that makes it. */
export const FINDING_KINDS = {
  deal_won_without_erp_sale: 'ordersInvoices',
  erp_invoices_unknown_to_crm: 'ordersInvoices',
  monthly_total_mismatch: 'ordersInvoices',
  attribute_conflict: 'attributes',
  source_without_golden: 'coverage',
  single_source_golden: 'coverage',
  stale_record: 'coverage',
  quarantined_record: 'coverage',
} as const satisfies Record<string, JobName>;
export type FindingKind = keyof typeof FINDING_KINDS;

export const FINDING_STATES = ['open', 'acknowledged', 'resolved'] as const;
export type FindingState = (typeof FINDING_STATES)[number];

/** One source record a finding is about, as the drill-down shows it. */
export interface FindingRecord {
  system: 'erp' | 'crm' | 'mdm';
  /** res_partner, account_move, sale_order, companies, deals, golden_record … */
  type: string;
  id: string;
  label?: string;
  /** The record's values that matter for this finding (amounts, dates, the disputed attribute). */
  values?: Record<string, string | number | boolean | null>;
}

/** Finance figures of a finding, in the customer's currency; readable only with the finance scope. */
export interface FindingAmounts {
  crm: number | null;
  erp: number | null;
  difference: number | null;
  currency: string | null;
}

/** A finding as a job makes it, before the store gives it an id, history and state. */
export interface FindingDraft {
  kind: FindingKind;
  /** What it is about, as the seed's truth writes it: see findingId.ts. */
  key: string;
  entityType: 'customer' | 'product';
  masterId: string | null;
  summary: string;
  records: FindingRecord[];
  amounts?: FindingAmounts;
  detail?: Record<string, unknown>;
  /** YYYY-MM, for monthly totals. */
  month?: string;
}

/** One field of one source in a quality profile. */
export interface FieldProfile {
  system: string;
  entityType: string;
  field: string;
  records: number;
  present: number;
  /** Present values passing the field's rule; null when the field has no rule. */
  valid: number | null;
  distinctValues: number;
}

export interface JobResult {
  findings: FindingDraft[];
  profiles?: FieldProfile[];
}

/** What every job reads from. */
export interface JobContext {
  /** The MDM store (and the recon schema). */
  pool: pg.Pool;
  /** The ERP database (Odoo tables). */
  erpPool: pg.Pool;
  /** The CRM's HubSpot API (private-app token in its headers). */
  crm: HttpClient;
  config: ReconcileConfig;
  /** The instant "stale" and windows are measured from. */
  asOf: Date;
}

export type Job = (context: JobContext) => Promise<JobResult>;
