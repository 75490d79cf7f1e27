import type { TrustedDocumentManifest, TrustedOperation } from '../../platform/persisted/trustedDocumentManifest.js';

/**
 * The trusted documents of every client that published a manifest, and the
 * clients that opted in to running nothing else. A client that opted in but
 * has no manifest loaded yet runs nothing (fail closed): its opt-in says that
 * any document not reviewed into its manifest is an attack.
 */
export class TrustedDocuments {
  readonly #byClient = new Map<string, Map<string, TrustedOperation>>();
  readonly #optedIn: ReadonlySet<string>;

  constructor(optedInClients: Iterable<string> = []) {
    this.#optedIn = new Set(optedInClients);
  }

  /** Replace a client's manifest (a new publish supersedes the old one whole). */
  replace(client: string, manifest: TrustedDocumentManifest): void {
    this.#byClient.set(client, new Map(manifest.operations.map((op) => [op.id, op])));
  }

  /** Whether this client runs trusted documents only. */
  enforces(client: string | undefined): client is string {
    return client !== undefined && this.#optedIn.has(client);
  }

  /** The client's document with this hash, if its manifest lists it. */
  lookup(client: string, hash: string): TrustedOperation | undefined {
    return this.#byClient.get(client)?.get(hash);
  }

  /** A document with this hash in any client's manifest: published documents also serve APQ lookups. */
  lookupAny(hash: string): TrustedOperation | undefined {
    for (const operations of this.#byClient.values()) {
      const op = operations.get(hash);
      if (op) return op;
    }
    return undefined;
  }

  get clients(): string[] {
    return [...this.#byClient.keys()];
  }

  get optedIn(): string[] {
    return [...this.#optedIn];
  }
}
