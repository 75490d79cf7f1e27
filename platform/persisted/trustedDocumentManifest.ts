import { createHash } from 'node:crypto';

/**
 * A client's trusted documents in Apollo's persisted query manifest format
 * (what `@apollo/generate-persisted-query-manifest` writes), so a client team
 * keeps its usual tooling:
 *
 *   { "format": "apollo-persisted-query-manifest", "version": 1,
 *     "operations": [{ "id": "<sha256 of body>", "name": "Customer360", "type": "query", "body": "query Customer360…" }] }
 */
export interface TrustedDocumentManifest {
  format: 'apollo-persisted-query-manifest';
  version: 1;
  operations: TrustedOperation[];
}

export interface TrustedOperation {
  /** sha256 of `body`, hex: the same hash APQ sends as `sha256Hash`. */
  id: string;
  name: string;
  type: 'query' | 'mutation' | 'subscription';
  body: string;
}

/** The sha256 hex of a document's text, as APQ and the manifest generator compute it. */
export function documentHash(body: string): string {
  return createHash('sha256').update(body).digest('hex');
}

/** Thrown for a manifest that is not one; the message names the bad member. */
export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

/**
 * Checks a manifest from a client team: shape, types, and that every id is
 * the sha256 of its body (an id that is not would let the wrong document run
 * under a trusted hash). Returns it typed.
 */
export function validateManifest(value: unknown): TrustedDocumentManifest {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ManifestError('a manifest must be a JSON object');
  const raw = value as Record<string, unknown>;
  if (raw.format !== 'apollo-persisted-query-manifest') throw new ManifestError(`format: expected "apollo-persisted-query-manifest", got ${JSON.stringify(raw.format)}`);
  if (raw.version !== 1) throw new ManifestError(`version: expected 1, got ${JSON.stringify(raw.version)}`);
  if (!Array.isArray(raw.operations)) throw new ManifestError('operations: expected an array');
  const seen = new Set<string>();
  const operations = raw.operations.map((op: unknown, index): TrustedOperation => {
    const at = `operations[${index}]`;
    if (op === null || typeof op !== 'object') throw new ManifestError(`${at}: expected an object`);
    const { id, name, type, body } = op as Record<string, unknown>;
    if (typeof body !== 'string' || body.length === 0) throw new ManifestError(`${at}.body: expected the document text`);
    if (typeof id !== 'string' || !/^[0-9a-f]{64}$/.test(id)) throw new ManifestError(`${at}.id: expected a sha256 hex digest`);
    if (id !== documentHash(body)) throw new ManifestError(`${at}.id: ${id} is not the sha256 of its body (${documentHash(body)})`);
    if (typeof name !== 'string') throw new ManifestError(`${at}.name: expected a string`);
    if (type !== 'query' && type !== 'mutation' && type !== 'subscription') throw new ManifestError(`${at}.type: expected query, mutation or subscription`);
    if (seen.has(id)) throw new ManifestError(`${at}.id: ${id} is listed twice`);
    seen.add(id);
    return { id, name, type, body };
  });
  return { format: 'apollo-persisted-query-manifest', version: 1, operations };
}
