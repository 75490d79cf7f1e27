/**
 * The abort signal of one HTTP attempt: it fires when the attempt's own time
 * limit runs out (reason: a `TimeoutError`, as `AbortSignal.timeout` gives)
 * or when the caller's signal fires (its reason), and `release()` lets go of
 * both when the attempt ends.
 *
 * Why not `AbortSignal.any([AbortSignal.timeout(ms), outer])`: Node keeps a
 * timeout signal, its timer and every signal combined with it until the timer
 * runs out — seconds after an attempt that took milliseconds — so under load
 * each attempt's signals outlive the young generation and are freed only by
 * full GCs (the CRM client's attempts: about an eighth of what the subgraphs'
 * full GCs collected in the gateway benchmark, bench/README.md, eighth pass).
 * Released with the attempt, they die young.
 */
export interface AttemptSignal {
  signal: AbortSignal;
  release(): void;
}

export function attemptSignal(timeoutMs: number, outer?: AbortSignal): AttemptSignal {
  const controller = new AbortController();
  if (outer?.aborted) {
    controller.abort(outer.reason);
    return { signal: controller.signal, release() {} };
  }
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`The operation was aborted due to timeout (${timeoutMs} ms)`, 'TimeoutError'));
  }, timeoutMs);
  // Like AbortSignal.timeout's: a pending attempt limit does not keep the process alive.
  timer.unref();
  const onOuterAbort = () => controller.abort(outer!.reason);
  outer?.addEventListener('abort', onOuterAbort, { once: true });
  return {
    signal: controller.signal,
    release() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    },
  };
}
