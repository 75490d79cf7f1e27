import { request } from 'undici';

export interface GraphQLResult<T = any> {
  status: number;
  body: { data?: T | null; errors?: Array<{ message: string; path?: Array<string | number>; extensions?: Record<string, any> }> };
}

/** POSTs one GraphQL operation as a client would, returning status and body. */
export async function postGraphQL<T = any>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<GraphQLResult<T>> {
  const response = await request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.body.text();
  let body: GraphQLResult<T>['body'];
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`non-JSON response ${response.statusCode}: ${text.slice(0, 300)}`);
  }
  return { status: response.statusCode, body };
}
