/**
 * Reads a Retry-After header (RFC 9110 §10.2.3): either a number of seconds
 * or an HTTP date. Returns milliseconds from `now`, or undefined when the
 * header is absent or unreadable (the caller then falls back to its backoff).
 * Fractional seconds are accepted because some rate limiters send them.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
