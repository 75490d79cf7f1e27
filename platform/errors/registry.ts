/**
 * The one shape of every error registry in Concord: a stable code, the HTTP
 * status of the answer that carries it, and what it means. Each part keeps
 * its own registry next to the code that raises it (fastify's `lib/errors.js`
 * habit); `npx concord docs errors` gathers them all into docs/errors.md, and
 * a test keeps that page in step.
 *
 * `status` is the status a client sees: the status of a refused request, or
 * 200 when the error rides in a GraphQL answer beside the data (a field error).
 */
export interface ErrorSpec {
  readonly status: number;
  readonly description: string;
}

export type ErrorRegistry<Code extends string = string> = { readonly [C in Code]: ErrorSpec };

/** A registry's code with its spec, as the docs page lists them. */
export interface ErrorEntry extends ErrorSpec {
  readonly code: string;
}

export function errorEntries(registry: ErrorRegistry): ErrorEntry[] {
  return Object.entries(registry).map(([code, spec]) => ({ code, status: spec.status, description: spec.description }));
}

/** The status a registry gives a code; `fallback` for a code it does not hold (a subgraph's, passed through). */
export function statusOf(registry: ErrorRegistry, code: string, fallback: number): number {
  return Object.prototype.hasOwnProperty.call(registry, code) ? registry[code].status : fallback;
}
