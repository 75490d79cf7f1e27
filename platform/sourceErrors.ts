import { GraphQLError } from 'graphql';
import type { ErrorRegistry } from './errors/registry.js';

/**
 * A failure of a source system, tagged with its origin so a client can tell
 * which system failed: `CRM_UNAVAILABLE`, `CRM_RATE_LIMITED`,
 * `CRM_UNAUTHENTICATED`, `ERP_UNAVAILABLE`, `MDM_UNAVAILABLE`. Thrown by
 * resolvers, it nulls only the fields that source serves.
 */
export const SOURCE_ERROR_KINDS = {
  UNAVAILABLE: { status: 200, description: 'could not be reached, timed out, failed (5xx, SQL error) or is resting behind its circuit breaker; the fields it serves are null, retry later' },
  RATE_LIMITED: { status: 200, description: 'refused for rate (HTTP 429) beyond what retries could wait; extensions.retryAfter says when to try again, in seconds' },
  UNAUTHENTICATED: { status: 200, description: "refused the subgraph's credentials (HTTP 401/403); an operator must fix them, the caller cannot" },
  BAD_RESPONSE: { status: 200, description: 'answered with something unexpected (another 4xx, or a body that is not what its contract says)' },
} as const satisfies ErrorRegistry;

export type SourceErrorKind = keyof typeof SOURCE_ERROR_KINDS;

/**
 * The codes one source's errors carry (`ERP_UNAVAILABLE`, …), as a registry
 * for docs/errors.md. `name` starts each description ("The CRM API …").
 */
export function sourceErrorRegistry<S extends string, K extends SourceErrorKind>(
  source: S,
  name: string,
  kinds: readonly K[],
): ErrorRegistry<`${Uppercase<S>}_${K}`> {
  return Object.fromEntries(
    kinds.map((kind) => [`${source.toUpperCase()}_${kind}`, { status: SOURCE_ERROR_KINDS[kind].status, description: `${name} ${SOURCE_ERROR_KINDS[kind].description}.` }]),
  ) as ErrorRegistry<`${Uppercase<S>}_${K}`>;
}

export function sourceError(
  source: 'erp' | 'crm' | 'mdm' | (string & {}),
  kind: SourceErrorKind,
  message: string,
  details: Record<string, unknown> = {},
): GraphQLError {
  return new GraphQLError(message, {
    extensions: { code: `${source.toUpperCase()}_${kind}`, source, ...details },
  });
}
