import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { attemptSignal } from './attemptSignal.js';

describe('attemptSignal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts with a TimeoutError when the attempt limit runs out, not before', () => {
    const { signal } = attemptSignal(50);
    vi.advanceTimersByTime(49);
    expect(signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it("aborts with the caller's reason when the caller's signal fires first", () => {
    const outer = new AbortController();
    const { signal } = attemptSignal(1_000, outer.signal);
    const reason = new Error('the request was cancelled');
    outer.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it("is aborted at once when the caller's signal already is", () => {
    const outer = new AbortController();
    outer.abort(new Error('gone'));
    const { signal } = attemptSignal(1_000, outer.signal);
    expect(signal.aborted).toBe(true);
    expect((signal.reason as Error).message).toBe('gone');
  });

  it("once released, neither the limit nor the caller's signal aborts it, and no timer is left", () => {
    const outer = new AbortController();
    const timersBefore = vi.getTimerCount();
    const attempt = attemptSignal(50, outer.signal);
    expect(vi.getTimerCount()).toBe(timersBefore + 1);
    attempt.release();
    expect(vi.getTimerCount()).toBe(timersBefore);
    vi.advanceTimersByTime(100);
    outer.abort(new Error('late'));
    expect(attempt.signal.aborted).toBe(false);
  });
});
