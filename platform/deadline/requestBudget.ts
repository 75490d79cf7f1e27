import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The time a request may still take, carried from the gateway to every source
 * call it causes. The gateway sends what is left of its overall deadline as a
 * relative number of milliseconds (relative, so the machines' clocks need not
 * agree); the subgraph turns it into an absolute deadline on its own clock at
 * arrival and keeps it in an AsyncLocalStorage for the rest of the request, so
 * the pg pool and the CRM client find it without every loader passing it on.
 */
export const BUDGET_HEADER = 'x-concord-budget-ms';

export interface RequestBudget {
  /** Absolute time (ms since the epoch, this process's clock) after which nothing is worth doing for the request. */
  deadline: number;
  /** Aborted at the deadline: pass it to anything that can be cancelled. */
  signal: AbortSignal;
}

const storage = new AsyncLocalStorage<RequestBudget>();

/** Runs `fn` with a budget of `ms` from now (its signal aborts when it runs out). */
export function runWithBudget<T>(ms: number, fn: () => T): T {
  const budget: RequestBudget = { deadline: Date.now() + ms, signal: AbortSignal.timeout(Math.max(1, Math.ceil(ms))) };
  return storage.run(budget, fn);
}

/** The current request's budget, if the work runs inside one. */
export function currentBudget(): RequestBudget | undefined {
  return storage.getStore();
}

/** Milliseconds left of the current request's budget (may be ≤ 0), or undefined outside any. */
export function remainingBudgetMs(now = Date.now()): number | undefined {
  const budget = storage.getStore();
  return budget === undefined ? undefined : budget.deadline - now;
}

/**
 * The time allowed for one step: the step's own limit, cut to what is left of
 * the request's budget. Undefined limit and no budget: no limit.
 */
export function stepTimeoutMs(ownLimitMs: number | undefined): number | undefined {
  const left = remainingBudgetMs();
  if (left === undefined) return ownLimitMs;
  return ownLimitMs === undefined ? left : Math.min(ownLimitMs, left);
}

/**
 * Reads the budget header: a non-negative number of milliseconds, capped by
 * `maxMs` (a caller cannot ask a subgraph to work longer than it allows).
 * Absent or unreadable: `defaultMs`.
 */
export function budgetFromHeader(value: string | string[] | undefined, defaultMs: number, maxMs: number): number {
  const raw = Array.isArray(value) ? value[0] : value;
  const parsed = raw === undefined ? NaN : Number(raw);
  const ms = Number.isFinite(parsed) && parsed >= 0 ? parsed : defaultMs;
  return Math.min(ms, maxMs);
}

/** The work ran out of its request's budget before it could finish (or start). */
export class DeadlineExceededError extends Error {
  readonly code = 'DEADLINE_EXCEEDED';
  constructor(what: string, budgetMs?: number) {
    super(`${what} ran out of the request's time budget${budgetMs === undefined ? '' : ` (${Math.max(0, Math.round(budgetMs))} ms left)`}`);
    this.name = 'DeadlineExceededError';
  }
}
