import { GraphQLError } from 'graphql';

/**
 * A failure of a source system, tagged with its origin so a client can tell
 * which system failed: `CRM_UNAVAILABLE`, `CRM_RATE_LIMITED`,
 * `CRM_UNAUTHENTICATED`, `ERP_UNAVAILABLE`, `MDM_UNAVAILABLE`. Thrown by
 * resolvers, it nulls only the fields that source serves.
 */
export type SourceErrorKind = 'UNAVAILABLE' | 'RATE_LIMITED' | 'UNAUTHENTICATED' | 'BAD_RESPONSE';

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
