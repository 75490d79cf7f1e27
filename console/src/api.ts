/**
 * The console's one way to the graph: POST /graphql on the console's own
 * origin with the token from the token field (kept in sessionStorage, like
 * GraphiQL's). Errors come back beside the data, as the gateway answers them:
 * a field the token may not read is null with an UNAUTHORIZED_FIELD_OR_TYPE
 * error, and the rest of the page still renders.
 */
export interface GraphQLErrorItem {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLAnswer<T> {
  data: T | null;
  errors: GraphQLErrorItem[];
}

const TOKEN_KEY = 'concord:console:token';

export function readToken(): string {
  try {
    return sessionStorage.getItem(TOKEN_KEY) ?? '';
  } catch {
    return '';
  }
}

export function saveToken(token: string): void {
  try {
    if (token) sessionStorage.setItem(TOKEN_KEY, token);
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage blocked: the token lives as long as the page.
  }
}

export async function graphql<T>(query: string, variables: Record<string, unknown> = {}, token = readToken()): Promise<GraphQLAnswer<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const bearer = token.trim().replace(/^bearer\s+/i, '');
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  const response = await fetch(new URL('../graphql', window.location.href), { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  let body: { data?: T | null; errors?: GraphQLErrorItem[] };
  try {
    body = await response.json();
  } catch {
    return { data: null, errors: [{ message: `the gateway answered ${response.status} without JSON`, extensions: { code: `HTTP_${response.status}` } }] };
  }
  return { data: body.data ?? null, errors: body.errors ?? [] };
}

/** Errors that are about access (shown as "no permission" rather than as failures). */
export const isAccessError = (e: GraphQLErrorItem) => ['UNAUTHORIZED_FIELD_OR_TYPE', 'UNAUTHENTICATED', 'FORBIDDEN'].includes(String(e.extensions?.code));
