import type { ErrorRegistry } from './errors/registry.js';

/**
 * The codes every subgraph answers with, whatever its domain: refusals of the
 * HTTP request by the subgraph server, the gateway proof, argument checks and
 * field authorization. Each subgraph adds its source's codes
 * (sourceErrorRegistry) and, for the MDM, its own.
 */
export const SUBGRAPH_ERRORS = {
  BAD_REQUEST: { status: 400, description: 'The request body is not valid JSON, or not a GraphQL request.' },
  PAYLOAD_TOO_LARGE: { status: 413, description: 'The request body is larger than the subgraph accepts.' },
  NOT_FOUND: { status: 404, description: 'No such route on the subgraph (it serves POST /graphql and GET /health).' },
  UNAUTHENTICATED: { status: 401, description: "The call did not come through the gateway: the gateway proof is missing or invalid (extensions.reason says which)." },
  BAD_USER_INPUT: { status: 200, description: 'An argument is missing, malformed or out of range (ill-formed text, a page size over the maximum, a search beyond the source contract); extensions.argumentName names it when there is one.' },
  UNAUTHORIZED_FIELD_OR_TYPE: { status: 200, description: 'A field or type the caller may not read: null with its path, as at the gateway.' },
  SUBGRAPH_OVERLOADED: { status: 503, description: 'The subgraph is serving as many requests as it takes at once (SUBGRAPH_MAX_IN_FLIGHT); retry after Retry-After instead of queueing behind a slow source.' },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'An unexpected failure inside the subgraph; its log has the cause.' },
} as const satisfies ErrorRegistry;
