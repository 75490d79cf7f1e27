import { RegistryClient } from './registryClient.js';

/**
 * Where the gateway gets its supergraph and hears of new ones. Same shape as
 * the gateway's own interface (the lead unifies them).
 */
export interface SupergraphSource {
  /** The current supergraph SDL; rejects when there is none or the registry is unreachable. */
  load(): Promise<string>;
  /** Calls `onUpdate` with each new supergraph; returns an unsubscribe function. */
  subscribe(onUpdate: (supergraphSdl: string) => void): () => void;
}

export interface RegistrySupergraphSourceOptions {
  registryUrl: string;
  /** A read (or gateway) token. */
  token: string;
  /**
   * Pause between polls. @default 1000 — a new supergraph reaches every
   * gateway within ~1 s, and a 304 poll costs one indexed row lookup, so even
   * a hundred gateways add only ~100 tiny requests a second.
   */
  pollIntervalMs?: number;
  /**
   * When > 0, each poll is a long-poll held by the registry up to this long
   * and answered as soon as a version is published: near-instant updates
   * with fewer requests. @default 0 (plain polling)
   */
  longPollMs?: number;
  /** Told about failed polls and refused updates; the source keeps polling. @default console.warn */
  onError?: (error: Error) => void;
}

/**
 * A SupergraphSource backed by the registry's `GET /supergraph`, polled with
 * `If-None-Match` (see docs/adr/0005-registry-reload.md for why polling and
 * not LISTEN/NOTIFY). A failed poll changes nothing: the gateway keeps the
 * supergraph it has. If `onUpdate` throws (the gateway refused the new
 * supergraph), that version is not offered again; the next one is.
 */
export function registrySupergraphSource(options: RegistrySupergraphSourceOptions): SupergraphSource {
  const client = new RegistryClient({ registryUrl: options.registryUrl, token: options.token });
  const pollIntervalMs = options.pollIntervalMs ?? 1_000;
  const longPollMs = options.longPollMs ?? 0;
  const onError = options.onError ?? ((error: Error) => console.warn(`[supergraph source] ${error.message}`));
  let lastEtag: string | undefined;

  return {
    async load() {
      const result = await client.fetchSupergraph();
      if (result.notModified) throw new Error('registry answered 304 to an unconditional fetch');
      lastEtag = result.etag;
      return result.sdl;
    },
    subscribe(onUpdate) {
      let stopped = false;
      let timer: NodeJS.Timeout | undefined;
      let inFlight: AbortController | undefined;
      let etag = lastEtag;

      const poll = async () => {
        inFlight = new AbortController();
        let failed = false;
        try {
          const result = await client.fetchSupergraph({ etag, waitMs: longPollMs || undefined, signal: inFlight.signal });
          if (!stopped && !result.notModified && result.etag !== etag) {
            etag = result.etag;
            lastEtag = result.etag;
            try {
              onUpdate(result.sdl);
            } catch (error) {
              onError(new Error(`supergraph ${result.version ?? '?'} was refused by the gateway: ${(error as Error).message}`, { cause: error }));
            }
          }
        } catch (error) {
          failed = true;
          if (!stopped) onError(error as Error);
        } finally {
          inFlight = undefined;
          // A long-poll returns only on change or timeout, so re-arm at once;
          // after a failure wait a full interval rather than hammer the registry.
          const delay = longPollMs && !failed ? 0 : pollIntervalMs;
          // unref: a forgotten subscription must not keep the process alive.
          if (!stopped) timer = setTimeout(poll, delay).unref();
        }
      };
      timer = setTimeout(poll, longPollMs ? 0 : pollIntervalMs).unref();
      return () => {
        stopped = true;
        if (timer) clearTimeout(timer);
        inFlight?.abort();
      };
    },
  };
}
