import type { Reconciler } from './runner.js';

export interface ReconcileSchedule {
  stop(): Promise<void>;
}

/**
 * Runs every job every `intervalMinutes` (0: never), the first time after one
 * interval. The next run is planned when the previous one ends, so a slow run
 * never overlaps the next; a failed run is logged and the schedule goes on.
 * Every replica keeps this schedule; the runner's leases and its "started
 * within the last 90% of an interval" check make one replica run each job
 * per interval, whichever comes first.
 */
export function scheduleReconciliation(
  reconciler: Reconciler,
  intervalMinutes: number,
  onError: (error: unknown) => void = () => {},
): ReconcileSchedule {
  let timer: NodeJS.Timeout | undefined;
  let current: Promise<unknown> = Promise.resolve();
  let stopped = intervalMinutes <= 0;
  const plan = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      current = reconciler.run({ trigger: 'schedule', actor: 'schedule', skipIfStartedWithinMs: intervalMinutes * 60_000 * 0.9 }).catch(onError).finally(plan);
    }, intervalMinutes * 60_000);
    timer.unref();
  };
  plan();
  return {
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await current;
    },
  };
}
