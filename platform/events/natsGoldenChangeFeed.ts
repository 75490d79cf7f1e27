import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { GOLDEN_SUBJECT_PREFIX, type GoldenChangeFeed, type GoldenRecordChanged } from './changeEvents.js';

/**
 * Golden-record changes from NATS (subjects `concord.golden.<entity>`), for a
 * service running as its own process (the gateway's entity cache). A plain
 * core subscription, not a durable JetStream consumer (ADR 0014): a cache
 * only needs the changes from now on (what it held before a restart is gone
 * anyway), and a durable consumer per replica would outlive replicas that
 * scaled away. What a disconnection may have missed is reported instead:
 * after a reconnect, or when the server dropped messages for a slow
 * consumer, the `onGap` listeners run (the cache empties itself). Messages
 * that are not change events are skipped with a call to `onInvalid`.
 */
export async function natsGoldenChangeFeed(options: {
  servers: string;
  /** Connection name shown by the server (`nats server report connections`). */
  name?: string;
  /** The subjects' prefix, when the pipeline publishes under a namespace (its jetStreamNames().goldenPrefix). @default concord.golden */
  subjectPrefix?: string;
  onInvalid?: (reason: string) => void;
}): Promise<GoldenChangeFeed> {
  const connection: NatsConnection = await connect({ servers: options.servers, name: options.name ?? 'concord-golden-change-feed', maxReconnectAttempts: -1 });
  const listeners = new Set<(change: GoldenRecordChanged) => void>();
  const gapListeners = new Set<() => void>();
  const subscription: Subscription = connection.subscribe(`${options.subjectPrefix ?? GOLDEN_SUBJECT_PREFIX}.>`);
  const watch = (async () => {
    for await (const status of connection.status()) {
      if (status.type === 'reconnect' || status.type === 'slowConsumer') for (const listener of gapListeners) listener();
    }
  })();
  const pump = (async () => {
    for await (const message of subscription) {
      let change: GoldenRecordChanged;
      try {
        change = message.json<GoldenRecordChanged>();
      } catch {
        options.onInvalid?.(`not JSON on ${message.subject}`);
        continue;
      }
      if (!change || typeof change.masterId !== 'string' || typeof change.eventId !== 'string' || !Array.isArray(change.relatedMasterIds)) {
        options.onInvalid?.(`not a GoldenRecordChanged on ${message.subject}`);
        continue;
      }
      for (const listener of listeners) listener(change);
    }
  })();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    onGap(listener) {
      gapListeners.add(listener);
      return () => gapListeners.delete(listener);
    },
    async close() {
      listeners.clear();
      gapListeners.clear();
      subscription.unsubscribe();
      await connection.drain().catch(() => connection.close());
      await pump;
      await watch;
    },
  };
}
