import type { PositionStore } from '../store/positions.js';
import type { CapturedChange } from '../change.js';
import type { CrmCompanies } from './crmCompanies.js';

const SOURCE = 'crm:companies';

/**
 * The catch-up sweep: webhooks can be lost (the receiver down longer than
 * HubSpot retries, a CRM that dropped them), so every interval the CRM's
 * search API is asked for companies modified since the last watermark
 * (hs_lastmodifieddate, inclusive: the boundary's companies come again and
 * their event ids — the company's version — make that harmless). A fresh
 * start begins at now: the load read everything before.
 */
export function createCrmSweep(options: { companies: CrmCompanies; positions: PositionStore; publish: (changes: CapturedChange[]) => Promise<void>; intervalMs: number; onError?: (error: Error) => void }) {
  let timer: NodeJS.Timeout | undefined;
  let stopped = true;
  let running: Promise<unknown> = Promise.resolve();
  let lastError: string | undefined;
  let swept = 0;
  let watermark = 0;

  async function sweepOnce(): Promise<number> {
    const stored = await options.positions.read<{ modifiedSince: number }>(SOURCE);
    let since = stored?.modifiedSince ?? Date.now();
    if (!stored) await options.positions.write(SOURCE, { modifiedSince: since });
    const from = since;
    let after: string | undefined;
    let count = 0;
    do {
      const page = await options.companies.modifiedSince(from, after);
      if (page.results.length > 0) {
        await options.publish(page.results.map((c) => options.companies.toChange(c)));
        count += page.results.length;
        const newest = Math.max(...page.results.map((c) => Date.parse(c.updatedAt ?? '') || since));
        if (newest > since) {
          since = newest;
          await options.positions.write(SOURCE, { modifiedSince: since });
        }
      }
      after = page.after;
    } while (after);
    watermark = since;
    swept += count;
    return count;
  }

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = sweepOnce().then(() => { lastError = undefined; }, (error) => {
        lastError = (error as Error).message;
        options.onError?.(error as Error);
      }).finally(schedule);
    }, options.intervalMs);
  };

  return {
    sweepOnce,
    start() {
      stopped = false;
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    status: () => ({ watermark: watermark ? new Date(watermark).toISOString() : null, swept, lastError }),
  };
}
