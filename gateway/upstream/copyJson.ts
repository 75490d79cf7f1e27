/**
 * A deep copy of a value parsed from JSON (objects, arrays, strings, numbers,
 * booleans, null), as JSON.parse would have made it from the same text.
 *
 * Why by hand: callers that share one subgraph call each need their own
 * answer (@apollo/gateway merges later fetches into the objects it gets), and
 * each re-parsing the shared text cost the deep-list benchmark's gateway 6% of
 * its CPU; copying the parsed tree is over twice as fast as parsing
 * its text again (0.21 against 0.48 ms for a 92 KB answer on this machine),
 * where structuredClone is slower than parsing (1.1 ms).
 */
export function copyJson<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) copy[i] = copyJson(value[i]);
    return copy as T;
  }
  const copy: Record<string, unknown> = {};
  // Own keys only: for…in would also copy an enumerable property someone put on Object.prototype.
  for (const key of Object.keys(value)) {
    const field = copyJson((value as Record<string, unknown>)[key]);
    // JSON.parse makes "__proto__" an own property; assigning it would set the copy's prototype instead.
    if (key === '__proto__') Object.defineProperty(copy, key, { value: field, enumerable: true, writable: true, configurable: true });
    else copy[key] = field;
  }
  return copy as T;
}
