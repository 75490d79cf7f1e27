import { GatewayHttpError } from '../errors.js';

/** A GraphQL request as the GraphQL-over-HTTP spec carries it, from a POST body or GET parameters. */
export interface GraphQLHttpRequest {
  /** Absent when the request names a persisted query by its hash only (APQ, trusted documents). */
  query?: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  extensions: Record<string, unknown> | undefined;
}

function badRequest(message: string): GatewayHttpError {
  return new GatewayHttpError('BAD_REQUEST', message);
}

/** True for application/json and application/graphql-response+json style JSON types, with any charset. */
export function isJsonContentType(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const type = contentType.split(';', 1)[0].trim().toLowerCase();
  return type === 'application/json' || type.endsWith('+json');
}

function objectOrUndefined(value: unknown, name: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw badRequest(`\`${name}\` must be a JSON object, got ${Array.isArray(value) ? 'an array' : typeof value}.`);
  return value as Record<string, unknown>;
}

/** One operation object of a POST body (or GET parameters) as a GraphQL request; throws BAD_REQUEST naming the bad member. */
export function toGraphQLRequest(value: unknown): GraphQLHttpRequest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badRequest('An operation must be a JSON object with a `query`.');
  const raw = value as { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown };
  const extensions = objectOrUndefined(raw.extensions, 'extensions');
  const byHash = (raw.query === undefined || raw.query === null || raw.query === '') && Boolean(extensions?.persistedQuery);
  if (!byHash && (raw.query === undefined || raw.query === null || raw.query === '')) throw badRequest('A GraphQL request must contain a non-empty `query` string.');
  if (!byHash && typeof raw.query !== 'string') throw badRequest(`\`query\` must be a string, got ${typeof raw.query}.`);
  if (raw.operationName !== undefined && raw.operationName !== null && typeof raw.operationName !== 'string') {
    throw badRequest(`\`operationName\` must be a string, got ${typeof raw.operationName}.`);
  }
  return {
    query: byHash ? undefined : (raw.query as string),
    operationName: (raw.operationName as string | null | undefined) || null,
    variables: objectOrUndefined(raw.variables, 'variables') ?? {},
    extensions,
  };
}

/** Parse a POST body as JSON (an object, or an array when batching): BAD_REQUEST when it is not JSON. */
export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Parse GET parameters: `query`, `operationName`, and JSON-encoded `variables` and `extensions`. */
export function parseGetParameters(search: string): GraphQLHttpRequest {
  const params = new URLSearchParams(search);
  const json = (name: string): unknown => {
    const value = params.get(name);
    if (value === null || value === '') return undefined;
    try {
      return JSON.parse(value);
    } catch (error) {
      throw badRequest(`The \`${name}\` parameter is not valid JSON: ${(error as Error).message}`);
    }
  };
  return toGraphQLRequest({
    query: params.get('query') ?? undefined,
    operationName: params.get('operationName') ?? undefined,
    variables: json('variables'),
    extensions: json('extensions'),
  });
}
