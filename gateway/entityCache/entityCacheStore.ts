/**
 * Where cached subgraph answers live: values are JSON text (each hit parses a
 * copy of its own, since the gateway merges answers into the response tree in
 * place), each entry carries the invalidation tags of the records it holds.
 */
export interface EntityCacheEntry {
  key: string;
  value: string;
  tags: readonly string[];
  ttlSec: number;
}

export interface EntityCacheStore {
  /** The values for these keys, in order; undefined for a miss or an expired entry. */
  getMany(keys: readonly string[]): Promise<Array<string | undefined>>;
  setMany(entries: readonly EntityCacheEntry[]): Promise<void>;
  /** Remove every entry carrying one of these tags; resolves once they are gone. Returns how many went. */
  invalidate(tags: readonly string[]): Promise<number>;
  /** Remove every entry; resolves once they are gone. Returns how many went. */
  clear(): Promise<number>;
  close(): Promise<void>;
}

interface MemoryEntry {
  value: string;
  tags: readonly string[];
  expiresAt: number;
}

/**
 * The in-process store: a Map in least-recently-used order bounded by the
 * bytes of its values, and a tag index for invalidation. Per replica; replicas
 * that must share entries use the Redis store.
 */
export class MemoryEntityCacheStore implements EntityCacheStore {
  readonly #entries = new Map<string, MemoryEntry>();
  readonly #byTag = new Map<string, Set<string>>();
  #bytes = 0;

  /** @param maxBytes @default 64 MiB: ~100,000 golden records of a few hundred bytes. */
  constructor(private readonly maxBytes = 64 * 1024 * 1024, private readonly now: () => number = Date.now) {}

  async getMany(keys: readonly string[]): Promise<Array<string | undefined>> {
    return keys.map((key) => this.get(key));
  }

  get(key: string): string | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#remove(key, entry);
      return undefined;
    }
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  async setMany(entries: readonly EntityCacheEntry[]): Promise<void> {
    for (const { key, value, tags, ttlSec } of entries) {
      const previous = this.#entries.get(key);
      if (previous) this.#remove(key, previous);
      this.#entries.set(key, { value, tags, expiresAt: this.now() + ttlSec * 1000 });
      this.#bytes += value.length;
      for (const tag of tags) {
        let keys = this.#byTag.get(tag);
        if (!keys) this.#byTag.set(tag, (keys = new Set()));
        keys.add(key);
      }
    }
    while (this.#bytes > this.maxBytes && this.#entries.size > 0) {
      const [oldest, entry] = this.#entries.entries().next().value!;
      this.#remove(oldest, entry);
    }
  }

  async invalidate(tags: readonly string[]): Promise<number> {
    let removed = 0;
    for (const tag of tags) {
      const keys = this.#byTag.get(tag);
      if (!keys) continue;
      for (const key of [...keys]) {
        const entry = this.#entries.get(key);
        if (entry) {
          this.#remove(key, entry);
          removed++;
        }
      }
      this.#byTag.delete(tag);
    }
    return removed;
  }

  #remove(key: string, entry: MemoryEntry): void {
    this.#entries.delete(key);
    this.#bytes -= entry.value.length;
    for (const tag of entry.tags) {
      const keys = this.#byTag.get(tag);
      keys?.delete(key);
      if (keys?.size === 0) this.#byTag.delete(tag);
    }
  }

  async clear(): Promise<number> {
    const removed = this.#entries.size;
    this.#entries.clear();
    this.#byTag.clear();
    this.#bytes = 0;
    return removed;
  }

  get size(): number {
    return this.#entries.size;
  }

  async close(): Promise<void> {
    this.#entries.clear();
    this.#byTag.clear();
    this.#bytes = 0;
  }
}
