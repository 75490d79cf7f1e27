import { GatewayHttpError } from '../errors.js';
import type { GatewayContext } from '../plugins.js';
import { documentHash } from '../../platform/persisted/trustedDocumentManifest.js';
import type { PersistedQueryStore } from './persistedQueryStore.js';
import type { TrustedDocuments } from './trustedDocuments.js';

/** The `extensions.persistedQuery` of Apollo's APQ protocol. */
interface PersistedQueryExtension {
  version: number;
  sha256Hash: string;
}

export interface PersistedDocumentsOptions {
  /** Automatic persisted queries; false answers PERSISTED_QUERY_NOT_SUPPORTED. */
  apq: PersistedQueryStore | false;
  trusted: TrustedDocuments;
}

/** The header Apollo clients name themselves with (Apollo Client's `name`, the Router's client awareness). */
export const CLIENT_NAME_HEADER = 'apollographql-client-name';

/**
 * Which client sent the request, for trusted documents: the verified token's
 * `azp` (or `client_id`) when there is one — a caller cannot shed it to escape
 * its client's opt-in — else the `apollographql-client-name` header.
 */
export function clientNameOf(context: GatewayContext): string | undefined {
  const claims = context.state.principal?.kind === 'user' ? context.state.principal.claims : undefined;
  const fromToken = claims?.azp ?? claims?.client_id;
  if (typeof fromToken === 'string' && fromToken) return fromToken;
  const header = context.headers[CLIENT_NAME_HEADER];
  const name = Array.isArray(header) ? header[0] : header;
  return name || undefined;
}

function persistedQueryOf(extensions: Record<string, unknown> | undefined): PersistedQueryExtension | undefined {
  const raw = extensions?.persistedQuery;
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new GatewayHttpError('BAD_REQUEST', '`extensions.persistedQuery` must be an object { version, sha256Hash }.');
  const { version, sha256Hash } = raw as Record<string, unknown>;
  if (version !== 1) {
    throw new GatewayHttpError('PERSISTED_QUERY_VERSION_UNSUPPORTED', `Unsupported persisted query version ${JSON.stringify(version)}; this gateway speaks version 1.`);
  }
  if (typeof sha256Hash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256Hash)) {
    throw new GatewayHttpError('BAD_REQUEST', '`extensions.persistedQuery.sha256Hash` must be the sha256 hex digest of the query.');
  }
  return { version, sha256Hash: sha256Hash.toLowerCase() };
}

function hashMismatch(sent: string, computed: string): GatewayHttpError {
  return new GatewayHttpError('PERSISTED_QUERY_HASH_MISMATCH', `provided sha does not match query: sent ${sent}, the query's sha256 is ${computed}.`);
}

function notInList(client: string): GatewayHttpError {
  return new GatewayHttpError(
    'PERSISTED_QUERY_NOT_IN_LIST',
    `Client "${client}" runs trusted documents only, and this operation is not in its published manifest; publish it with \`npx concord schema documents publish\`.`,
  );
}

/**
 * The document text to execute for one operation, by Apollo's APQ protocol
 * and the trusted-documents mode:
 *
 * - a client that opted in to trusted documents runs only what its manifest
 *   lists, whether sent by hash or in full (PERSISTED_QUERY_NOT_IN_LIST, 403);
 * - otherwise a hash alone is looked up (the APQ store, then published
 *   manifests): unknown answers PERSISTED_QUERY_NOT_FOUND, the signal for
 *   the client to send the full query once; a hash with a query registers it
 *   after checking that the hash is the query's (PERSISTED_QUERY_HASH_MISMATCH);
 * - a plain query runs as sent.
 */
export async function resolveDocument(
  input: { query?: string; extensions?: Record<string, unknown> },
  context: GatewayContext,
  options: PersistedDocumentsOptions,
): Promise<string> {
  const persisted = persistedQueryOf(input.extensions);
  const client = clientNameOf(context);
  if (options.trusted.enforces(client)) {
    const hash = persisted?.sha256Hash ?? documentHash(input.query ?? '');
    if (persisted && input.query !== undefined) {
      const computed = documentHash(input.query);
      if (computed !== hash) throw hashMismatch(hash, computed);
    }
    const trusted = options.trusted.lookup(client, hash);
    if (!trusted) throw notInList(client);
    return trusted.body;
  }
  if (!persisted) {
    if (input.query === undefined) throw new GatewayHttpError('BAD_REQUEST', 'A GraphQL request must contain a non-empty `query` string or an `extensions.persistedQuery`.');
    return input.query;
  }
  if (!options.apq) throw new GatewayHttpError('PERSISTED_QUERY_NOT_SUPPORTED', 'Persisted queries are not enabled on this gateway; send the full `query`.');
  if (input.query === undefined) {
    const known = (await options.apq.get(persisted.sha256Hash)) ?? options.trusted.lookupAny(persisted.sha256Hash)?.body;
    // Apollo's shape: HTTP 200 and a code the client's link retries on with the full query; not cacheable by proxies.
    if (known === undefined) {
      throw new GatewayHttpError('PERSISTED_QUERY_NOT_FOUND', 'PersistedQueryNotFound', { headers: { 'cache-control': 'private, no-cache, must-revalidate' } });
    }
    return known;
  }
  const computed = documentHash(input.query);
  if (computed !== persisted.sha256Hash) throw hashMismatch(persisted.sha256Hash, computed);
  await options.apq.set(computed, input.query);
  return input.query;
}
