import type { IncomingMessage } from 'node:http';
import { GatewayHttpError } from './errors.js';

/** A GraphQL request as the GraphQL-over-HTTP spec carries it, from a POST body or GET parameters. */
export interface GraphQLHttpRequest {
  query: string;
  operationName: string | null;
  variables: Record<string, unknown>;
  extensions: Record<string, unknown> | undefined;
}

/**
 * Read a POST body up to `maxBytes`: a declared Content-Length over the limit
 * is refused before reading; a chunked body is counted as it streams and
 * refused the moment it passes the limit (the socket is then closed, so the
 * rest is never buffered).
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = request.headers['content-length'];
  if (declared !== undefined && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
}

function tooLarge(maxBytes: number): GatewayHttpError {
  return new GatewayHttpError('PAYLOAD_TOO_LARGE', `The request body is larger than ${maxBytes} bytes, the most this gateway accepts.`, {
    headers: { connection: 'close' },
  });
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

function toGraphQLRequest(raw: { query?: unknown; operationName?: unknown; variables?: unknown; extensions?: unknown }): GraphQLHttpRequest {
  const extensions = objectOrUndefined(raw.extensions, 'extensions');
  if (raw.query === undefined || raw.query === null || raw.query === '') {
    if (extensions?.persistedQuery) {
      throw new GatewayHttpError('PERSISTED_QUERY_NOT_SUPPORTED', 'Persisted queries are not supported by this gateway; send the full `query`.');
    }
    throw badRequest('A GraphQL request must contain a non-empty `query` string.');
  }
  if (typeof raw.query !== 'string') throw badRequest(`\`query\` must be a string, got ${typeof raw.query}.`);
  if (raw.operationName !== undefined && raw.operationName !== null && typeof raw.operationName !== 'string') {
    throw badRequest(`\`operationName\` must be a string, got ${typeof raw.operationName}.`);
  }
  return {
    query: raw.query,
    operationName: (raw.operationName as string | null | undefined) || null,
    variables: objectOrUndefined(raw.variables, 'variables') ?? {},
    extensions,
  };
}

/** Parse a POST body: JSON object required; a JSON array (batching) is refused with a clear message. */
export function parsePostBody(text: string): GraphQLHttpRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw badRequest(`The request body is not valid JSON: ${(error as Error).message}`);
  }
  if (Array.isArray(body)) throw badRequest('Batched requests (a JSON array) are not supported; send one operation per request.');
  if (body === null || typeof body !== 'object') throw badRequest('The request body must be a JSON object with a `query`.');
  return toGraphQLRequest(body);
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
