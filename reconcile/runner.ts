import type pg from 'pg';
import type { HttpClient } from '../platform/http/index.js';
import type { ReconcileConfig } from './config.js';
import { ReconError, isReconError } from './errors.js';
import { reconcileAttributes } from './jobs/attributes.js';
import { reconcileCoverage } from './jobs/coverage.js';
import { reconcileOrdersInvoices } from './jobs/ordersInvoices.js';
import { profileQuality } from './jobs/qualityProfile.js';
import { failRun, readRun, recordRun, startRun, type RunRow } from './store/runs.js';
import { JOB_NAMES, type Job, type JobName } from './types.js';

export const JOBS: Record<JobName, Job> = {
  ordersInvoices: reconcileOrdersInvoices,
  attributes: reconcileAttributes,
  coverage: reconcileCoverage,
  qualityProfile: profileQuality,
};

export interface ReconcilerDeps {
  pool: pg.Pool;
  erpPool: pg.Pool;
  crm: HttpClient;
  config: ReconcileConfig;
}

export interface RunRequest {
  jobs?: readonly JobName[];
  trigger?: 'schedule' | 'manual';
  actor?: string;
  /** @default now */
  asOf?: Date;
}

/**
 * Runs jobs one after another (they share 2 cores with everything else),
 * each as a run of its own: started, computed from the sources, recorded
 * atomically. A job already running in this process is refused with
 * RECON_JOB_RUNNING rather than run twice. A failing job is recorded as a
 * failed run and the next job still runs; the error is rethrown at the end.
 */
export class Reconciler {
  private readonly running = new Set<JobName>();

  constructor(private readonly deps: ReconcilerDeps) {}

  async run(request: RunRequest = {}): Promise<RunRow[]> {
    const jobs = request.jobs?.length ? [...new Set(request.jobs)] : [...JOB_NAMES];
    for (const job of jobs) {
      if (!JOB_NAMES.includes(job)) throw new ReconError('RECON_INVALID_ARGUMENT', `jobs: unknown job ${JSON.stringify(job)}; expected some of ${JOB_NAMES.join(', ')}`);
      if (this.running.has(job)) throw new ReconError('RECON_JOB_RUNNING', `a ${job} run is already in progress`, { job });
    }
    for (const job of jobs) this.running.add(job);
    const runs: RunRow[] = [];
    let firstError: unknown;
    try {
      for (const job of jobs) {
        const asOf = request.asOf ?? new Date();
        const { pool, erpPool, crm, config } = this.deps;
        const runId = await startRun(pool, { job, trigger: request.trigger ?? 'manual', actor: request.actor ?? 'system', asOf, options: config });
        try {
          const result = await JOBS[job]({ pool, erpPool, crm, config, asOf });
          await recordRun(pool, runId, job, result.findings, result.profiles);
        } catch (error) {
          await failRun(pool, runId, (error as Error).message).catch(() => {});
          firstError ??= isReconError(error) ? error : new ReconError('RECON_SOURCE_UNAVAILABLE', `${job} failed: ${(error as Error).message}`, { job });
        }
        const row = await readRun(pool, runId);
        if (row) runs.push(row);
      }
    } finally {
      for (const job of jobs) this.running.delete(job);
    }
    if (firstError) throw firstError;
    return runs;
  }

  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }
}
