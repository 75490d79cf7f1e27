import type { CapturedChange } from '../change.js';

/** Applies one change; throwing asks for a redelivery (up to the maximum, then the dead letters). */
export type ChangeHandler = (change: CapturedChange, delivery: { attempt: number }) => Promise<void>;

/**
 * Applies several changes (in order) all or nothing; throwing makes the
 * broker apply them one by one through the ChangeHandler, which isolates a
 * failing change for redelivery and the dead letters.
 */
export type BatchHandler = (changes: CapturedChange[]) => Promise<void>;

/** What a broker delivers to: one change at a time, and batches when it has several at hand. */
export interface ChangeConsumer {
  handle: ChangeHandler;
  handleBatch?: BatchHandler;
}

export interface BrokerStats {
  kind: 'in-process' | 'jetstream';
  published: number;
  delivered: number;
  redeliveries: number;
  deadLetters: number;
  /** Changes published but not yet acknowledged by the consumer (JetStream: the consumer's pending count). */
  pending: number;
  lastError?: string;
}

/**
 * Where captured changes go between capture and the MDM consumer. At least
 * once; one record's changes in order (partitioned by record key).
 */
export interface ChangeBroker {
  /**
   * Resolves once every change is safely past the broker: stored by JetStream
   * (its ack), or applied by the consumer (in-process, where the source's own
   * position is the durable point). Captures advance their position after it.
   */
  publish(changes: CapturedChange[]): Promise<void>;
  /**
   * Starts delivering changes: several at once to `handleBatch` when the
   * consumer has one and more are waiting (up to the broker's batch size),
   * else (and after a failed batch) one at a time to `handle`.
   */
  consume(consumer: ChangeHandler | ChangeConsumer): Promise<void>;
  stats(): Promise<BrokerStats>;
  close(): Promise<void>;
}

/** Where a change goes after its last failed delivery. */
export type DeadLetterSink = (change: CapturedChange, reason: string, deliveries: number) => Promise<void>;
