import { DeadlineExceededError } from '../deadline/index.js';

/**
 * Whether a failed statement says the database is down or hung (and should
 * count towards opening its circuit), rather than that the statement or its
 * input was wrong. Outages: no connection or a lost one (socket errors,
 * SQLSTATE class 08), the server shutting down or out of resources (57P0x,
 * 53xxx), a statement cancelled by statement_timeout (57014), and no answer
 * within the time allowed. Everything else (syntax, constraint, bad input:
 * classes 22, 23, 42…) is the caller's or the code's problem and leaves the
 * circuit alone.
 */
export function isDatabaseOutage(error: unknown): boolean {
  if (error instanceof DeadlineExceededError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^E[A-Z]+$/.test(code)) return true; // ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE…
    if (/^(08|53|57)/.test(code)) return true;
    return false;
  }
  const message = (error as Error | null)?.message ?? '';
  return /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error/i.test(message);
}
