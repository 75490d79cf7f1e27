import {
  BulkheadRejectedError, bulkhead, BrokenCircuitError, circuitBreaker, CircuitState, ConsecutiveBreaker, handleWhen, TaskCancelledError,
  type BulkheadPolicy, type CircuitBreakerPolicy,
} from 'cockatiel';
import { currentBudget, DeadlineExceededError } from '../deadline/index.js';
import { BREAKER_STATE_VALUE, type BreakerStateName, type ServiceMetrics, type SourceCallOutcome } from '../metrics/index.js';

export interface SourceGuardLogger {
  warn(object: Record<string, unknown>, message: string): void;
  info(object: Record<string, unknown>, message: string): void;
}

export interface SourceGuardOptions {
  /** The source's name in metrics, logs and errors: erp, crm, mdm. */
  source: string;
  /** Consecutive outage failures that open the circuit. @default 5 */
  consecutiveFailures?: number;
  /** How long the circuit stays open before one probe is let through. @default 5000 */
  halfOpenAfterMs?: number;
  /**
   * Calls to the source running at once (the bulkhead). Beyond it calls
   * queue; beyond the queue they are refused at once. A pg pool's own size
   * caps SQL too; this cap is what keeps a hung source from collecting
   * unbounded waiting work. @default 32
   */
  maxConcurrent?: number;
  /** Calls waiting for a slot, at most. @default 64 */
  maxQueued?: number;
  /** Whether a failure says the source is down (opens the circuit); others (bad input, 4xx) do not count. */
  isOutage(error: unknown): boolean;
  /** Classifies a failure for the call metrics. @default 'error' */
  outcomeOf?(error: unknown): SourceCallOutcome;
  metrics?: ServiceMetrics;
  logger?: SourceGuardLogger;
}

/** Why a guarded call was not made: the circuit is open, the bulkhead is full, or the request's deadline passed. */
export class SourceRefusedError extends Error {
  constructor(
    readonly source: string,
    readonly reason: 'CIRCUIT_OPEN' | 'BULKHEAD_FULL' | 'DEADLINE_EXCEEDED',
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'SourceRefusedError';
  }

  /** The reason, where source error mappers look for a driver's code. */
  get code(): string {
    return this.reason;
  }
}

export interface SourceGuard {
  readonly source: string;
  /** The breaker's state now. */
  state(): BreakerStateName;
  /**
   * Runs one call to the source: within the bulkhead, through the breaker,
   * cancelled at the request's deadline. Refusals are SourceRefusedError.
   */
  run<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

const stateNames: Record<CircuitState, BreakerStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'halfOpen',
  [CircuitState.Isolated]: 'isolated',
};

/**
 * A circuit breaker and a bulkhead per source (cockatiel), with one change to
 * cockatiel's breaker: while its single half-open probe is in flight, every
 * other caller fails fast. cockatiel makes them await the probe instead
 * (CircuitBreakerPolicy.execute awaits `state.test` in HalfOpen), so a probe
 * that hangs on a frozen source held every concurrent request for the whole
 * probe timeout — the 10 s stalls measured in issue 11. Reading `state`
 * before `execute` is race-free: both run in the same synchronous turn.
 */
export function createSourceGuard(options: SourceGuardOptions): SourceGuard {
  const { source, metrics, logger } = options;
  const halfOpenAfterMs = options.halfOpenAfterMs ?? 5_000;
  const breaker: CircuitBreakerPolicy = circuitBreaker(handleWhen(options.isOutage), {
    halfOpenAfter: halfOpenAfterMs,
    breaker: new ConsecutiveBreaker(options.consecutiveFailures ?? 5),
  });
  const bulk: BulkheadPolicy = bulkhead(options.maxConcurrent ?? 32, options.maxQueued ?? 64);
  let openedAt = 0;
  metrics?.breakerState.labels(source).set(BREAKER_STATE_VALUE.closed);
  breaker.onStateChange((state) => {
    const name = stateNames[state];
    if (state === CircuitState.Open) openedAt = Date.now();
    metrics?.breakerState.labels(source).set(BREAKER_STATE_VALUE[name]);
    metrics?.breakerTransitions.labels(source, name).inc();
    const line = { source, breaker: name };
    if (state === CircuitState.Closed) logger?.info(line, `circuit breaker for ${source} closed: the source answers again`);
    else if (state === CircuitState.HalfOpen) logger?.info(line, `circuit breaker for ${source} half-open: one probe call goes through, others fail fast`);
    else logger?.warn(line, `circuit breaker for ${source} ${name}: calls fail fast for ${halfOpenAfterMs} ms`);
  });

  function refusedByCircuit(): SourceRefusedError {
    const retryAfterMs = Math.max(0, openedAt + halfOpenAfterMs - Date.now());
    return new SourceRefusedError(source, 'CIRCUIT_OPEN', `${source} not called: its circuit breaker is open after repeated failures`, retryAfterMs || undefined);
  }

  async function run<T>(call: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const budget = currentBudget();
    const signal = budget?.signal ?? new AbortController().signal;
    const started = performance.now();
    const observe = (outcome: SourceCallOutcome) => {
      metrics?.sourceCalls.labels(source, outcome).inc();
      metrics?.sourceDuration.labels(source, outcome).observe((performance.now() - started) / 1000);
    };
    if (signal.aborted) {
      observe('timeout');
      throw new SourceRefusedError(source, 'DEADLINE_EXCEEDED', `${source} not called: the request's deadline has passed`);
    }
    if (breaker.state === CircuitState.HalfOpen || breaker.state === CircuitState.Isolated) {
      observe('circuit_open');
      throw refusedByCircuit();
    }
    const guarded = bulk.execute(() => {
      // Checked again when a queued call gets its slot: the probe may have started meanwhile.
      if (breaker.state === CircuitState.HalfOpen) throw refusedByCircuit();
      metrics?.sourceInFlight.labels(source).inc();
      return breaker.execute(() => call(signal)).finally(() => metrics?.sourceInFlight.labels(source).dec());
    }, signal);
    try {
      const result = await (budget ? raceDeadline(guarded, signal, source) : guarded);
      observe('ok');
      return result;
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        observe('circuit_open');
        throw refusedByCircuit();
      }
      if (error instanceof BulkheadRejectedError) {
        observe('bulkhead_full');
        throw new SourceRefusedError(source, 'BULKHEAD_FULL', `${source} not called: ${bulk.executionSlots === 0 ? 'all' : 'too many'} of its call slots are busy and its queue is full`);
      }
      if (error instanceof TaskCancelledError || error instanceof DeadlineExceededError) {
        observe('timeout');
        throw new SourceRefusedError(source, 'DEADLINE_EXCEEDED', `${source} call abandoned: the request's deadline passed`);
      }
      if (error instanceof SourceRefusedError) {
        observe(error.reason === 'CIRCUIT_OPEN' ? 'circuit_open' : error.reason === 'BULKHEAD_FULL' ? 'bulkhead_full' : 'timeout');
        throw error;
      }
      observe(options.outcomeOf?.(error) ?? 'error');
      throw error;
    }
  }

  return { source, state: () => stateNames[breaker.state], run };
}

/** Settles with the call, or rejects with DeadlineExceededError as soon as the request's signal aborts. */
function raceDeadline<T>(work: Promise<T>, signal: AbortSignal, source: string): Promise<T> {
  if (signal.aborted) return Promise.reject(new DeadlineExceededError(`${source} call`));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new DeadlineExceededError(`${source} call`));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => { signal.removeEventListener('abort', onAbort); resolve(value); },
      (error: unknown) => { signal.removeEventListener('abort', onAbort); reject(error); },
    );
  });
}
