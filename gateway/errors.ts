import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { statusOf, type ErrorRegistry } from '../platform/errors/registry.js';

/**
 * The gateway's error codes: one registry, each with the HTTP status it
 * answers with when the whole request fails, and what it means. Codes that
 * Apollo Server uses keep Apollo's spelling so clients written against Apollo
 * keep working. Errors raised by subgraphs keep their own codes (e.g.
 * CRM_UNAVAILABLE) and gain `extensions.serviceName`.
 */
export const GATEWAY_ERRORS = {
  GRAPHQL_PARSE_FAILED: { status: 400, description: 'The query is not syntactically valid GraphQL.' },
  GRAPHQL_VALIDATION_FAILED: { status: 400, description: 'The query does not validate against the schema.' },
  BAD_USER_INPUT: { status: 400, description: 'A variable does not match its declared type.' },
  BAD_REQUEST: { status: 400, description: 'The HTTP request is not a GraphQL request (missing query, malformed JSON, bad parameters).' },
  OPERATION_RESOLUTION_FAILURE: { status: 400, description: 'The document has no operation of the requested name, or several operations and no operationName.' },
  PERSISTED_QUERY_NOT_SUPPORTED: { status: 400, description: 'Automatic persisted queries are not enabled on this gateway.' },
  PERSISTED_QUERY_NOT_FOUND: { status: 200, description: 'APQ: the gateway does not know this sha256Hash; send it again with the full `query` (Apollo clients do so by themselves).' },
  PERSISTED_QUERY_HASH_MISMATCH: { status: 400, description: 'APQ: the sha256Hash sent is not the hash of the query sent; nothing was registered or executed.' },
  PERSISTED_QUERY_VERSION_UNSUPPORTED: { status: 400, description: 'APQ: extensions.persistedQuery.version is not 1.' },
  PERSISTED_QUERY_NOT_IN_LIST: { status: 403, description: "The client runs trusted documents only and this operation is not in its published manifest (`npx concord schema documents publish`)." },
  METHOD_NOT_ALLOWED: { status: 405, description: 'Mutations must be sent with POST; only queries may use GET.' },
  BODY_TOO_LARGE: { status: 413, description: 'The request body is larger than the gateway accepts (maxBodyBytes).' },
  BATCHING_DISABLED: { status: 400, description: 'The body is a JSON array of operations but batching is off (BATCHING_ENABLED).' },
  MAX_BATCH_SIZE_EXCEEDED: { status: 400, description: 'The batch holds more operations than maxBatchSize.' },
  CSRF_BLOCKED: { status: 400, description: 'A GET or simple-content-type POST without a preflight-forcing header (apollo-require-preflight).' },
  VARIABLES_IN_GET_REFUSED: { status: 400, description: 'Variables in a GET URL (they may hold personal data and URLs are logged); send a POST.' },
  INTROSPECTION_DISABLED: { status: 403, description: 'Introspection in production without the explore scope.' },
  UNAUTHORIZED_FIELD_OR_TYPE: { status: 200, description: 'A field or type the caller may not read: null with its path (filter mode), or the whole operation refused (reject mode, HTTP 403).' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, description: 'POST bodies must be application/json.' },
  NOT_FOUND: { status: 404, description: 'No such route on the gateway.' },
  SUBGRAPH_UNAVAILABLE: { status: 200, description: 'A subgraph could not be reached, timed out, or answered with something that is not GraphQL; the fields it serves are null. `extensions.reason`: connection, timeout, http-status, or circuit_open / overloaded / deadline when it was not called at all (its breaker is open, its bulkhead full, or the request deadline passed).' },
  GATEWAY_OVERLOADED: { status: 503, description: 'The gateway is serving GATEWAY_MAX_IN_FLIGHT requests already; retry after the Retry-After seconds.' },
  AUDIT_UNAVAILABLE: { status: 200, description: "A PII or finance field was read but its audit record could be stored neither in the audit database nor in the local spool before the request's deadline; the field is null, the rest of the answer still comes." },
  UNAUTHENTICATED: { status: 401, description: 'A subgraph refused the gateway (HTTP 401), or the caller is not authenticated.' },
  FORBIDDEN: { status: 403, description: 'A subgraph refused the request (HTTP 403), or the caller lacks a scope.' },
  INTERNAL_SERVER_ERROR: { status: 500, description: 'An unexpected failure inside the gateway.' },
  SUPERGRAPH_INVALID: { status: 500, description: 'A supergraph was refused: it does not build or validate; the previous one keeps serving.' },
  COMPOSITION_FAILED: { status: 500, description: 'The subgraphs do not compose into a supergraph.' },
  SUBGRAPH_SDL_UNAVAILABLE: { status: 500, description: "A subgraph's SDL could not be fetched with { _service { sdl } } at start." },
} as const satisfies ErrorRegistry;

export type GatewayErrorCode = keyof typeof GATEWAY_ERRORS;

/**
 * An error that ends the request before execution with an HTTP status and a
 * GraphQL error body. Plugins throw it from `onRequest`/`onOperation` to reject
 * (e.g. 401 UNAUTHENTICATED with `www-authenticate`).
 */
export class GatewayHttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly errors: readonly GraphQLError[];
  constructor(
    code: GatewayErrorCode | string,
    message: string,
    options: { status?: number; headers?: Record<string, string>; errors?: readonly GraphQLError[] } = {},
  ) {
    super(message);
    this.name = 'GatewayHttpError';
    this.code = code;
    this.status = options.status ?? statusOf(GATEWAY_ERRORS, code, 400);
    this.headers = options.headers ?? {};
    this.errors = options.errors ?? [new GraphQLError(message, { extensions: { code } })];
  }

  /** From a GraphQLError carrying `extensions.http` (limits, CSRF, auth modules): its status, code and headers. */
  static fromGraphQLError(error: GraphQLError, more: readonly GraphQLError[] = []): GatewayHttpError {
    const http = (error.extensions.http ?? {}) as { status?: number; headers?: Record<string, string> };
    return new GatewayHttpError(String(error.extensions.code ?? 'BAD_REQUEST'), error.message, {
      status: http.status,
      headers: http.headers,
      errors: [error, ...more].map(withoutHttpExtension),
    });
  }
}

/** The error without `extensions.http`: that status was for this server's answer, not for the client's body. */
export function withoutHttpExtension(error: GraphQLError): GraphQLError {
  if (error.extensions.http === undefined) return error;
  const { http: _http, ...extensions } = error.extensions;
  return new GraphQLError(error.message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, originalError: error.originalError, extensions });
}

/** A start-time failure (composition, SDL fetch, invalid supergraph) with its list of causes. */
export class GatewayStartError extends Error {
  constructor(readonly code: GatewayErrorCode, message: string, readonly details: readonly string[] = []) {
    super(details.length > 0 ? `${message}:\n  - ${details.join('\n  - ')}` : message);
    this.name = 'GatewayStartError';
  }
}

/** graphql-js appends "Did you mean …?" to validation messages; that leaks schema in production. */
const SUGGESTION = / ?Did you mean .+\?$/;

/**
 * Shape an error for the response body the way Apollo Server does: every
 * error gets an `extensions.code` (INTERNAL_SERVER_ERROR when it had none).
 * Development adds `extensions.stacktrace`; production strips stack traces
 * (also any a subgraph sent), field suggestions and upstream bodies.
 */
export function formatGatewayError(
  error: GraphQLError | GraphQLFormattedError,
  production: boolean,
  /** Keep "Did you mean …?" in production (callers with the explore scope). @default !production */
  suggestions = !production,
): GraphQLFormattedError {
  const formatted: GraphQLFormattedError = error instanceof GraphQLError ? error.toJSON() : error;
  const extensions: Record<string, unknown> = { ...formatted.extensions };
  if (extensions.code === undefined) extensions.code = 'INTERNAL_SERVER_ERROR';
  let message = formatted.message;
  if (!suggestions && SUGGESTION.test(message)) message = message.replace(SUGGESTION, '');
  if (production) {
    delete extensions.stacktrace;
    delete extensions.exception;
    delete extensions.responseBody;
  } else if (error instanceof GraphQLError && extensions.stacktrace === undefined && extensions.code === 'INTERNAL_SERVER_ERROR') {
    const stack = (error.originalError ?? error).stack;
    if (stack) extensions.stacktrace = stack.split('\n');
  }
  return { ...formatted, message, extensions };
}

/** Tag errors without a code (graphql-js validation/coercion errors) with one. */
export function withCode(errors: readonly GraphQLError[], code: GatewayErrorCode): GraphQLError[] {
  return errors.map((error) =>
    error.extensions.code !== undefined
      ? error
      : new GraphQLError(error.message, {
          nodes: error.nodes,
          source: error.source,
          positions: error.positions,
          path: error.path,
          originalError: error.originalError,
          extensions: { ...error.extensions, code },
        }),
  );
}
