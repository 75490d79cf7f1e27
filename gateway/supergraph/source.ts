import { watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { composeSupergraphFromSubgraphs, type FetchSdlOptions, type SubgraphEndpoint } from './compose.js';

/**
 * Where the gateway's supergraph comes from. `load` gives the first one (a
 * failure fails start); `subscribe` reports later ones for hot reload and
 * returns the unsubscribe function. The gateway validates every update and
 * refuses a bad one, keeping the previous supergraph — a source need not.
 */
export interface SupergraphSource {
  load(): Promise<string>;
  subscribe(onUpdate: (supergraphSdl: string) => void): () => void;
}

/** A fixed supergraph: never updates. */
export function staticSupergraphSource(supergraphSdl: string): SupergraphSource {
  return { load: async () => supergraphSdl, subscribe: () => () => {} };
}

/**
 * A source the owner pushes to (the schema registry after a publish; tests).
 * `push` delivers to every subscriber and later `load`s.
 */
export function pushSupergraphSource(initialSupergraphSdl: string): SupergraphSource & { push(supergraphSdl: string): void } {
  let current = initialSupergraphSdl;
  const listeners = new Set<(sdl: string) => void>();
  return {
    load: async () => current,
    subscribe(onUpdate) {
      listeners.add(onUpdate);
      return () => listeners.delete(onUpdate);
    },
    push(supergraphSdl) {
      current = supergraphSdl;
      for (const listener of listeners) listener(supergraphSdl);
    },
  };
}

/** Editors save by rename-and-replace and emit bursts of events; wait for the burst to end. */
const FILE_SETTLE_MS = 150;

/**
 * A composed supergraph file. With `watch`, a changed file is re-read and
 * offered (the directory is watched, not the file, so rename-on-save and
 * `writeSupergraphFile`'s atomic rename are both seen).
 */
export function fileSupergraphSource(path: string, options: { watch?: boolean } = {}): SupergraphSource {
  let last: string | undefined;
  return {
    async load() {
      last = await readFile(path, 'utf8');
      return last;
    },
    subscribe(onUpdate) {
      if (!options.watch) return () => {};
      let timer: NodeJS.Timeout | undefined;
      const watcher = watch(dirname(path), (_event, file) => {
        if (file !== null && file !== basename(path)) return;
        clearTimeout(timer);
        timer = setTimeout(() => {
          readFile(path, 'utf8').then(
            (text) => {
              if (text === last || text.trim() === '') return;
              last = text;
              onUpdate(text);
            },
            () => {}, // removed or mid-rename: the next event brings the new file
          );
        }, FILE_SETTLE_MS);
      });
      return () => {
        clearTimeout(timer);
        watcher.close();
      };
    },
  };
}

/**
 * Compose from running subgraphs at start (fetching each SDL with
 * `{ _service { sdl } }`, retrying while they start). With `pollIntervalMs`,
 * recompose periodically and offer a changed supergraph; a failed poll is
 * skipped (logged by `onPollError`), the served supergraph stays.
 */
export function composedSupergraphSource(
  subgraphs: SubgraphEndpoint[],
  options: FetchSdlOptions & { pollIntervalMs?: number; onPollError?: (error: unknown) => void } = {},
): SupergraphSource {
  let last: string | undefined;
  return {
    async load() {
      last = await composeSupergraphFromSubgraphs(subgraphs, options);
      return last;
    },
    subscribe(onUpdate) {
      if (!options.pollIntervalMs) return () => {};
      let stopped = false;
      let timer: NodeJS.Timeout;
      const poll = async () => {
        try {
          const next = await composeSupergraphFromSubgraphs(subgraphs, { prepareHeaders: options.prepareHeaders });
          if (!stopped && next !== last) {
            last = next;
            onUpdate(next);
          }
        } catch (error) {
          options.onPollError?.(error);
        }
        if (!stopped) timer = setTimeout(poll, options.pollIntervalMs).unref();
      };
      timer = setTimeout(poll, options.pollIntervalMs).unref();
      return () => {
        stopped = true;
        clearTimeout(timer);
      };
    },
  };
}
