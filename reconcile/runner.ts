import type pg from 'pg';
import type { HttpClient } from '../platform/http/index.js';
import type { ReconcileConfig } from './config.js';
import { ReconError, isReconError } from './errors.js';
import { reconcileAttributes } from './jobs/attributes.js';
import { reconcileCoverage } from './jobs/coverage.js';
import { reconcileOrdersInvoices } from './jobs/ordersInvoices.js';
import { profileQuality } from './jobs/qualityProfile.js';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { acquireJobLease, extendJobLease, lastRunStart, releaseJobLease } from './store/leases.js';
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
  /** How long a job's lease lives without being extended (its holder extends it every third of that). @default 60000 */
  leaseTtlMs?: number;
  /** Names this process in the lease table. @default host:pid:random */
  holder?: string;
}

export interface RunRequest {
  jobs?: readonly JobName[];
  trigger?: 'schedule' | 'manual';
  actor?: string;
  /** @default now */
  asOf?: Date;
  /**
   * Scheduled runs: skip a job whose latest run (in any replica) started less
   * than this long ago, so N replicas on the same schedule run it once.
   */
  skipIfStartedWithinMs?: number;
}

/**
 * Runs jobs one after another (they share 2 cores with everything else),
 * each as a run of its own: started, computed from the sources, recorded
 * atomically. A job runs once at a time across every replica: its lease
 * (recon.job_lease) is taken for all requested jobs before any starts, and a
 * manual request for a job running anywhere is refused with RECON_JOB_RUNNING;
 * a scheduled request just skips that job (another replica has it). A
 * failing job is recorded as a failed run and the next job still runs; the
 * error is rethrown at the end.
 */
export class Reconciler {
  private readonly running = new Set<JobName>();
  private readonly holder: string;
  private readonly leaseTtlMs: number;

  constructor(private readonly deps: ReconcilerDeps) {
    this.holder = deps.holder ?? `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.leaseTtlMs = deps.leaseTtlMs ?? 60_000;
  }

  async run(request: RunRequest = {}): Promise<RunRow[]> {
    const requested = request.jobs?.length ? [...new Set(request.jobs)] : [...JOB_NAMES];
    const scheduled = request.trigger === 'schedule';
    for (const job of requested) {
      if (!JOB_NAMES.includes(job)) throw new ReconError('RECON_INVALID_ARGUMENT', `jobs: unknown job ${JSON.stringify(job)}; expected some of ${JOB_NAMES.join(', ')}`);
      if (this.running.has(job) && !scheduled) throw new ReconError('RECON_JOB_RUNNING', `a ${job} run is already in progress`, { job });
    }
    const jobs = await this.lease(requested.filter((job) => !this.running.has(job)), request);
    for (const job of jobs) this.running.add(job);
    const { pool } = this.deps;
    const heartbeat = setInterval(() => {
      for (const job of jobs) extendJobLease(pool, job, this.holder, this.leaseTtlMs).catch(() => {});
    }, Math.max(1_000, Math.floor(this.leaseTtlMs / 3)));
    heartbeat.unref();
    const runs: RunRow[] = [];
    let firstError: unknown;
    try {
      for (const job of jobs) {
        const asOf = request.asOf ?? new Date();
        const { erpPool, crm, config } = this.deps;
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
        await releaseJobLease(pool, job, this.holder).catch(() => {});
        this.running.delete(job);
      }
    } finally {
      clearInterval(heartbeat);
      for (const job of jobs) {
        if (this.running.delete(job)) await releaseJobLease(pool, job, this.holder).catch(() => {});
      }
    }
    if (firstError) throw firstError;
    return runs;
  }

  /**
   * Takes the lease of every job it can. Manual: all or nothing (a job held
   * elsewhere refuses the request, the leases taken are given back).
   * Scheduled: the jobs held elsewhere, or run recently by anyone, are left out.
   */
  private async lease(jobs: JobName[], request: RunRequest): Promise<JobName[]> {
    const { pool } = this.deps;
    const scheduled = request.trigger === 'schedule';
    const taken: JobName[] = [];
    try {
      for (const job of jobs) {
        if (!(await acquireJobLease(pool, job, this.holder, this.leaseTtlMs))) {
          if (scheduled) continue;
          throw new ReconError('RECON_JOB_RUNNING', `a ${job} run is already in progress in another replica`, { job });
        }
        taken.push(job);
        if (scheduled && request.skipIfStartedWithinMs) {
          const last = await lastRunStart(pool, job);
          if (last && Date.now() - last.getTime() < request.skipIfStartedWithinMs) {
            await releaseJobLease(pool, job, this.holder);
            taken.pop();
          }
        }
      }
    } catch (error) {
      for (const job of taken) await releaseJobLease(pool, job, this.holder).catch(() => {});
      throw error;
    }
    return taken;
  }

  isRunning(job: JobName): boolean {
    return this.running.has(job);
  }
}
