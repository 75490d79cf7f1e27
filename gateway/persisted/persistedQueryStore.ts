/**
 * Where automatic persisted queries (APQ) are kept between the request that
 * registers a document and the requests that send only its hash. In memory
 * by default (per replica: a client whose hash is unknown to one replica just
 * sends the full query once more, as the protocol intends); `set` only ever
 * stores a text whose hash was checked.
 */
export interface PersistedQueryStore {
  get(hash: string): Promise<string | undefined> | string | undefined;
  set(hash: string, query: string): Promise<void> | void;
}

/**
 * A bounded in-memory store: least recently used out first, bounded by the
 * total text size (documents vary from 100 bytes to 100 KiB, so a count alone
 * would bound nothing). A Map keeps insertion order; a hit re-inserts.
 */
export class MemoryPersistedQueryStore implements PersistedQueryStore {
  readonly #documents = new Map<string, string>();
  #bytes = 0;

  /** @param maxBytes Total document text kept. @default 8 MiB: thousands of real operations. */
  constructor(private readonly maxBytes = 8 * 1024 * 1024) {}

  get(hash: string): string | undefined {
    const query = this.#documents.get(hash);
    if (query !== undefined) {
      this.#documents.delete(hash);
      this.#documents.set(hash, query);
    }
    return query;
  }

  set(hash: string, query: string): void {
    if (query.length > this.maxBytes) return;
    const previous = this.#documents.get(hash);
    if (previous !== undefined) {
      this.#documents.delete(hash);
      this.#bytes -= previous.length;
    }
    this.#documents.set(hash, query);
    this.#bytes += query.length;
    while (this.#bytes > this.maxBytes) {
      const [oldest, text] = this.#documents.entries().next().value!;
      this.#documents.delete(oldest);
      this.#bytes -= text.length;
    }
  }

  get size(): number {
    return this.#documents.size;
  }
}
