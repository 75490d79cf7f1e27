import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg,
} from '@nats-io/jetstream';
import { GOLDEN_SUBJECT_PREFIX, SOURCE_SUBJECT_PREFIX, type GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import type { CapturedChange } from '../change.js';
import { SOURCE_PARTITIONS, sourceChangeSubject } from './subjects.js';
import type { BrokerStats, ChangeBroker, ChangeHandler } from './types.js';

/** Stream and consumer names; tests give their own so they never touch another run's. */
export interface JetStreamNames {
  /** Source changes, subjects concord.cdc.> @default CONCORD_CDC */
  sourceStream: string;
  /** Dead letters: the event, the reason, the deliveries. @default CONCORD_CDC_DLQ */
  deadLetterStream: string;
  /** Golden-record changes, subjects concord.golden.> @default CONCORD_GOLDEN */
  goldenStream: string;
  /** Durable consumer name prefix, one consumer per partition: <prefix>-<partition>. @default mdm */
  consumerPrefix: string;
  /** Subject prefixes (tests isolate by giving their own). */
  sourcePrefix: string;
  goldenPrefix: string;
  deadLetterSubject: string;
}

/** The contract's names, or under a namespace (several Concords or test runs on one NATS server). */
export function jetStreamNames(namespace = ''): JetStreamNames {
  const stream = (name: string) => (namespace ? `${namespace.toUpperCase()}_${name}` : name);
  const subject = (name: string) => (namespace ? `${namespace}.${name}` : name);
  return {
    sourceStream: stream('CONCORD_CDC'), deadLetterStream: stream('CONCORD_CDC_DLQ'), goldenStream: stream('CONCORD_GOLDEN'), consumerPrefix: 'mdm',
    sourcePrefix: subject(SOURCE_SUBJECT_PREFIX), goldenPrefix: subject(GOLDEN_SUBJECT_PREFIX), deadLetterSubject: subject('concord.dlq.cdc'),
  };
}

export interface JetStreamBrokerOptions {
  servers: string;
  /** See EventsConfig.natsNamespace. @default '' */
  namespace?: string;
  maxDeliveries: number;
  /** Which partitions this process consumes. @default all */
  partitions?: number[];
  /** How long a delivered change may stay unacknowledged before redelivery. @default 30000 */
  ackWaitMs?: number;
  /** Connection name shown by the server. */
  name?: string;
  onError?: (error: Error) => void;
}

/** The dead-letter record: the change as published, why it was given up, after how many deliveries. */
export interface DeadLetter {
  event: CapturedChange;
  reason: string;
  deliveries: number;
  subject: string;
  deadAt: string;
}

const nanos = (ms: number) => ms * 1_000_000;

/**
 * NATS JetStream as the broker (NATS_URL). Changes go to
 * <sourcePrefix>.<system>.<partition> with the event id as msgID, so the
 * server drops a republished duplicate within its duplicate window (2 min);
 * publish resolves on the stream's ack. Each partition has a durable pull
 * consumer with explicit ack and one change in flight (max_ack_pending 1),
 * so one record's changes apply in order even across redeliveries. A change
 * whose handler fails is nak'ed with a growing delay; on its last allowed
 * delivery it is written to the dead-letter stream with the error and
 * terminated, and the partition moves on.
 */
export async function createJetStreamBroker(options: JetStreamBrokerOptions): Promise<ChangeBroker & {
  publishGolden(events: GoldenRecordChanged[]): Promise<void>;
  readDeadLetters(): Promise<DeadLetter[]>;
  /** Redeliveries the server counted over every partition's consumer. */
  redeliveries(): Promise<number>;
  /** Removes this namespace's streams (tests clean up after themselves). */
  deleteStreams(): Promise<void>;
  connection: NatsConnection;
}> {
  const names = jetStreamNames(options.namespace);
  const nc = await connect({
    servers: options.servers.split(','), name: options.name ?? 'concord-events',
    // Keep reconnecting for as long as the process runs: a broker restart must not end the pipeline.
    maxReconnectAttempts: -1, reconnectTimeWait: 250,
  });
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const js: JetStreamClient = jetstream(nc);
  await ensureStream(jsm, { name: names.sourceStream, subjects: [`${names.sourcePrefix}.>`] });
  await ensureStream(jsm, { name: names.deadLetterStream, subjects: [`${names.deadLetterSubject}.>`] });
  await ensureStream(jsm, { name: names.goldenStream, subjects: [`${names.goldenPrefix}.>`] });
  const partitions = options.partitions ?? [...Array(SOURCE_PARTITIONS).keys()];
  const stats: BrokerStats = { kind: 'jetstream', published: 0, delivered: 0, redeliveries: 0, deadLetters: 0, pending: 0 };
  const consuming = new Set<ConsumerMessages>();
  let closing = false;
  const loops: Promise<void>[] = [];
  const subjectOf = (change: CapturedChange) => sourceChangeSubject(change).replace(SOURCE_SUBJECT_PREFIX, names.sourcePrefix);

  async function ensureConsumer(partition: number): Promise<string> {
    const durable = `${names.consumerPrefix}-${partition}`;
    const config = {
      durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      filter_subject: `${names.sourcePrefix}.*.${partition}`, max_ack_pending: 1,
      // One more than ours: our handler dead-letters on the last; the server's limit is the backstop for a crash loop.
      max_deliver: options.maxDeliveries + 1, ack_wait: nanos(options.ackWaitMs ?? 30_000),
    };
    try {
      await jsm.consumers.info(names.sourceStream, durable);
    } catch {
      await jsm.consumers.add(names.sourceStream, config);
    }
    return durable;
  }

  async function handleOne(msg: JsMsg, handler: ChangeHandler): Promise<void> {
    const attempt = msg.info.deliveryCount;
    if (attempt > 1) stats.redeliveries++;
    let change: CapturedChange;
    try {
      change = msg.json<CapturedChange>();
    } catch (error) {
      await deadLetter(msg, { eventId: `unparseable:${msg.seq}` } as CapturedChange, `not a change event: ${(error as Error).message}`, attempt);
      return;
    }
    try {
      await handler(change, { attempt });
      msg.ack();
      stats.delivered++;
    } catch (error) {
      stats.lastError = `${change.eventId}: ${(error as Error).message}`;
      if (attempt >= options.maxDeliveries) {
        await deadLetter(msg, change, (error as Error).message, attempt);
      } else {
        msg.nak(Math.min(100 * 2 ** attempt, 5_000));
      }
    }
  }

  async function deadLetter(msg: JsMsg, change: CapturedChange, reason: string, deliveries: number): Promise<void> {
    const letter: DeadLetter = { event: change, reason, deliveries, subject: msg.subject, deadAt: new Date().toISOString() };
    await js.publish(`${names.deadLetterSubject}.${msg.subject.split('.').slice(-2).join('.')}`, JSON.stringify(letter), { msgID: `dlq:${change.eventId}` });
    // No reason on the TERM itself: nats-server 2.9 does not parse "+TERM <reason>" (the dead letter keeps it).
    msg.term();
    stats.deadLetters++;
  }

  return {
    connection: nc,
    async publish(changes) {
      // In order, one ack at a time per call would serialise on the round trip; all in flight, then wait for every ack.
      const acks = changes.map((change) => js.publish(subjectOf(change), JSON.stringify(change), { msgID: change.eventId }));
      await Promise.all(acks);
      stats.published += changes.length;
    },
    async publishGolden(events) {
      await Promise.all(events.map((event) => js.publish(`${names.goldenPrefix}.${event.entity}`, JSON.stringify(event), { msgID: event.eventId })));
    },
    async consume(handler) {
      for (const partition of partitions) {
        const durable = await ensureConsumer(partition);
        // Consume for as long as the broker lives: when the server goes away and the
        // iterator ends or fails, get the consumer again once the connection is back.
        loops.push((async () => {
          while (!closing) {
            try {
              const consumer = await js.consumers.get(names.sourceStream, durable);
              const messages = await consumer.consume({ max_messages: 16 });
              consuming.add(messages);
              try {
                for await (const msg of messages) {
                  try {
                    await handleOne(msg, handler);
                  } catch (error) {
                    options.onError?.(error as Error);
                  }
                }
              } finally {
                consuming.delete(messages);
              }
            } catch (error) {
              if (!closing) options.onError?.(error as Error);
            }
            if (!closing) await new Promise((r) => setTimeout(r, 500));
          }
        })());
      }
    },
    async stats() {
      let pending = 0;
      for (const partition of partitions) {
        try {
          const info = await jsm.consumers.info(names.sourceStream, `${names.consumerPrefix}-${partition}`);
          pending += info.num_pending + info.num_ack_pending;
        } catch { /* not created yet */ }
      }
      // Dead letters as the stream holds them (every process's, not only this one's).
      const dlq = await jsm.streams.info(names.deadLetterStream).catch(() => undefined);
      return { ...stats, pending, deadLetters: dlq?.state.messages ?? stats.deadLetters };
    },
    async readDeadLetters() {
      const letters: DeadLetter[] = [];
      const info = await jsm.streams.info(names.deadLetterStream);
      for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++) {
        try {
          const m = await jsm.streams.getMessage(names.deadLetterStream, { seq });
          if (m) letters.push(m.json<DeadLetter>());
        } catch { /* deleted */ }
      }
      return letters;
    },
    async redeliveries() {
      let total = 0;
      for (let partition = 0; partition < SOURCE_PARTITIONS; partition++) {
        const info = await jsm.consumers.info(names.sourceStream, `${names.consumerPrefix}-${partition}`).catch(() => undefined);
        total += info?.num_redelivered ?? 0;
      }
      return total;
    },
    async deleteStreams() {
      for (const name of [names.sourceStream, names.deadLetterStream, names.goldenStream]) await jsm.streams.delete(name).catch(() => false);
    },
    async close() {
      closing = true;
      for (const messages of consuming) messages.stop();
      await Promise.allSettled(loops);
      await nc.drain().catch(() => nc.close());
    },
  };
}

async function ensureStream(jsm: JetStreamManager, config: { name: string; subjects: string[] }): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch {
    await jsm.streams.add({
      ...config, retention: RetentionPolicy.Limits, storage: StorageType.File,
      // The window in which the server drops a republished msgID: longer than any capture restart.
      duplicate_window: nanos(120_000), max_age: nanos(7 * 24 * 3600 * 1000),
    });
  }
}
