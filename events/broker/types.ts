import type { CapturedChange } from '../change.js';

/** Applies one change; throwing asks for a redelivery (up to the maximum, then the dead letters). */
export type ChangeHandler = (change: CapturedChange, delivery: { attempt: number }) => Promise<void>;

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
  /** Starts delivering changes to the handler. */
  consume(handler: ChangeHandler): Promise<void>;
  stats(): Promise<BrokerStats>;
  close(): Promise<void>;
}

/** Where a change goes after its last failed delivery. */
export type DeadLetterSink = (change: CapturedChange, reason: string, deliveries: number) => Promise<void>;
