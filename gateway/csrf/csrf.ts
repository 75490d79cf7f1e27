import { GraphQLError, type OperationTypeNode } from 'graphql';

/**
 * CSRF prevention as Apollo Server does it (its `preventCsrf`): a browser
 * sends a cross-site request without a CORS preflight only when it is a GET
 * or a POST with a "simple" content type and no custom header. Such a request
 * is executed only if it carries a header a browser would have preflighted
 * (`apollo-require-preflight`, `x-apollo-operation-name`), so a malicious
 * page can neither read nor cause side effects.
 */
export const CSRF_PREVENTION_HEADERS = ['x-apollo-operation-name', 'apollo-require-preflight'] as const;
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

type Headers = Record<string, string | string[] | undefined>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name] ?? headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** The MIME essence (`type/subtype`, lower-cased) or undefined if it does not parse as one. */
function mimeEssence(contentType: string): string | undefined {
  const essence = contentType.split(';')[0].trim().toLowerCase();
  return /^[!#$%&'*+.^_`|~0-9a-z-]+\/[!#$%&'*+.^_`|~0-9a-z-]+$/.test(essence) ? essence : undefined;
}

/** Throws a 400 BAD_REQUEST GraphQLError when the request could be a CSRF; headers keyed lower-case (node:http). */
export function preventCsrf(headers: Headers, requiredHeaders: readonly string[] = CSRF_PREVENTION_HEADERS): void {
  const contentType = header(headers, 'content-type');
  if (contentType !== undefined) {
    const essence = mimeEssence(contentType);
    // Like Apollo: a content type browsers cannot send without preflight (or one that does not parse) is safe.
    if (essence === undefined || !SIMPLE_CONTENT_TYPES.includes(essence)) return;
  }
  if (requiredHeaders.some((name) => (header(headers, name) ?? '').length > 0)) return;
  throw new GraphQLError(
    `This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). Please either specify a 'content-type' header (with a type that is not one of ${SIMPLE_CONTENT_TYPES.join(', ')}) or provide a non-empty value for one of the following headers: ${requiredHeaders.join(', ')}`,
    { extensions: { code: 'CSRF_BLOCKED', http: { status: 400 } } },
  );
}

/**
 * Mutations and subscriptions never over GET (a GET must be safe to repeat
 * and to prefetch; Apollo answers 405 too).
 */
export function assertOperationAllowedForMethod(method: string, operation: OperationTypeNode | 'query' | 'mutation' | 'subscription'): void {
  if (method.toUpperCase() === 'GET' && operation !== 'query') {
    throw new GraphQLError(`Can only perform a ${operation} operation from a POST request.`, {
      extensions: { code: 'METHOD_NOT_ALLOWED', http: { status: 405, headers: { allow: 'POST' } } },
    });
  }
}

/**
 * PII never in a GET URL: URLs end up in access logs, proxies and browser
 * history. A GET may carry no variables (values belong in a POST body), so
 * an email or tax id searched for cannot land in a log line. GET stays
 * usable for cacheable queries with literals that are not personal data.
 */
export function assertNoVariablesInGetUrl(method: string, variables: unknown): void {
  if (method.toUpperCase() !== 'GET') return;
  if (variables === undefined || variables === null || variables === '' || (typeof variables === 'object' && !Object.keys(variables as object).length)) return;
  throw new GraphQLError('Variables are not accepted in a GET URL (they may hold personal data, and URLs are logged); send the operation as a POST.', {
    extensions: { code: 'VARIABLES_IN_GET_REFUSED', http: { status: 400 } },
  });
}
