import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  AckPolicy, DeliverPolicy, jetstream, jetstreamManager, RetentionPolicy, StorageType,
  type ConsumerMessages, type JetStreamClient, type JetStreamManager, type JsMsg,
} from '@nats-io/jetstream';
import { GOLDEN_SUBJECT_PREFIX, SOURCE_SUBJECT_PREFIX, type GoldenRecordChanged } from '../../platform/events/changeEvents.js';
import type { CapturedChange } from '../change.js';
import { SOURCE_PARTITIONS, sourceChangeSubject } from './subjects.js';
import type { BrokerStats, ChangeBroker, ChangeConsumer, ChangeHandler } from './types.js';

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
  /**
   * Changes a partition has in flight: taken from the server together and
   * applied as one batch when the consumer has a batch handler. @default 200
   */
  maxBatch?: number;
  /** How long a delivered change may stay unacknowledged before redelivery. @default 30000 */
  ackWaitMs?: number;
  /** Each delivery of a change after its first (the server's redeliveries and retries here). */
  onRedelivery?: (change: CapturedChange) => void;
  /** Connection name shown by the server. */
  name?: string;
  /** A partition started over from its ack floor because a consumer before this one left changes unacknowledged. */
  onRestartFromAckFloor?: (partition: number, unacknowledged: number) => void;
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
 * consumer with explicit ack and up to `maxBatch` changes in flight: what
 * the partition has received when it is free is handed to the consumer as
 * one batch (in stream order), acknowledged after it is applied, and the
 * next batch is taken only then, so one record's changes apply in order. A
 * batch that fails is applied change by change; a change that fails is
 * retried here, with a growing delay, before anything after it on the
 * partition (a nak would let later changes of the same record overtake it);
 * on its last allowed delivery it is written to the dead-letter stream with
 * the error and terminated, and the partition moves on. A crash leaves
 * changes unacknowledged; the next consumer of the partition starts it over
 * from its ack floor (see ensureConsumer), so they come again before newer
 * ones.
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
    // Every publish is a request awaiting its PubAck; with async traces on, each allocates an Error
    // for its stack up front (a measured ~4% of the pipeline's CPU at 500 changes/s), used only if it fails.
    noAsyncTraces: true,
  });
  const jsm: JetStreamManager = await jetstreamManager(nc);
  const js: JetStreamClient = jetstream(nc);
  await ensureStream(jsm, { name: names.sourceStream, subjects: [`${names.sourcePrefix}.>`] });
  await ensureStream(jsm, { name: names.deadLetterStream, subjects: [`${names.deadLetterSubject}.>`] });
  await ensureStream(jsm, { name: names.goldenStream, subjects: [`${names.goldenPrefix}.>`] });
  const partitions = options.partitions ?? [...Array(SOURCE_PARTITIONS).keys()];
  const maxBatch = options.maxBatch ?? 200;
  const ackWaitMs = options.ackWaitMs ?? 30_000;
  /**
   * Runs `work` while telling the server these changes are still being worked
   * on (a batch can wait for the steward lock behind another): without it a
   * long wait past the ack wait makes the server deliver them again.
   */
  const whileWorking = async <T>(msgs: JsMsg[], work: () => Promise<T>): Promise<T> => {
    const timer = setInterval(() => { for (const msg of msgs) msg.working(); }, Math.max(250, Math.floor(ackWaitMs / 3)));
    try {
      return await work();
    } finally {
      clearInterval(timer);
    }
  };
  const stats: BrokerStats = { kind: 'jetstream', published: 0, delivered: 0, redeliveries: 0, deadLetters: 0, pending: 0 };
  const consuming = new Set<ConsumerMessages>();
  let closing = false;
  const loops: Promise<void>[] = [];
  const subjectOf = (change: CapturedChange) => sourceChangeSubject(change).replace(SOURCE_SUBJECT_PREFIX, names.sourcePrefix);

  async function ensureConsumer(partition: number): Promise<string> {
    const durable = `${names.consumerPrefix}-${partition}`;
    const config = {
      durable_name: durable, ack_policy: AckPolicy.Explicit, deliver_policy: DeliverPolicy.All,
      filter_subject: `${names.sourcePrefix}.*.${partition}`, max_ack_pending: maxBatch,
      // One more than ours: our handler dead-letters on the last; the server's limit is the backstop for a crash loop.
      max_deliver: options.maxDeliveries + 1, ack_wait: nanos(ackWaitMs),
    };
    const existing = await jsm.consumers.info(names.sourceStream, durable).catch(() => undefined);
    if (!existing) {
      await jsm.consumers.add(names.sourceStream, config);
    } else if (existing.num_ack_pending > 0) {
      // Changes a consumer that died held unacknowledged. The server would deliver them again only
      // after the ack wait, while it hands out newer ones at once: a newer change of a record would be
      // applied before an older one it had not applied (the older then arrives stale and is lost from
      // the record's history). So start the partition over from its ack floor, in stream order: what
      // was applied but not acknowledged comes again as a replay (same event id, no effect).
      // One consumer process per partition (the partitions setting): a live one would be cut off here.
      const from = existing.ack_floor.stream_seq + 1;
      await jsm.consumers.delete(names.sourceStream, durable);
      await jsm.consumers.add(names.sourceStream, { ...config, deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
      options.onRestartFromAckFloor?.(partition, existing.num_ack_pending);
    } else if (existing.config.max_ack_pending !== maxBatch || existing.config.ack_wait !== config.ack_wait) {
      // Created by an older version (one in flight) or with other settings: take this process's.
      await jsm.consumers.update(names.sourceStream, durable, { max_ack_pending: maxBatch, ack_wait: config.ack_wait });
    }
    return durable;
  }

  /** Applies what a partition received, in order: as one batch when it can, else (or when the batch fails) one by one. */
  async function handleMany(msgs: JsMsg[], consumer: ChangeConsumer): Promise<void> {
    const parsed: { msg: JsMsg; change: CapturedChange }[] = [];
    for (const msg of msgs) {
      try {
        parsed.push({ msg, change: msg.json<CapturedChange>() });
      } catch (error) {
        await deadLetter(msg, { eventId: `unparseable:${msg.seq}` } as CapturedChange, `not a change event: ${(error as Error).message}`, msg.info.deliveryCount);
      }
    }
    if (parsed.length > 1 && consumer.handleBatch) {
      try {
        await whileWorking(parsed.map((p) => p.msg), () => consumer.handleBatch!(parsed.map((p) => p.change)));
        for (const { msg, change } of parsed) {
          if (msg.info.deliveryCount > 1) {
            stats.redeliveries++;
            options.onRedelivery?.(change);
          }
          msg.ack();
        }
        stats.delivered += parsed.length;
        return;
      } catch (error) {
        stats.lastError = `batch of ${parsed.length}: ${(error as Error).message}`;
      }
    }
    for (const { msg, change } of parsed) {
      if (closing) return; // unacknowledged: the server delivers them again
      await handleOne(msg, change, consumer.handle);
    }
  }

  async function handleOne(msg: JsMsg, change: CapturedChange, handler: ChangeHandler): Promise<void> {
    for (let attempt = msg.info.deliveryCount; ; attempt++) {
      if (attempt > 1) {
        stats.redeliveries++;
        options.onRedelivery?.(change);
      }
      try {
        await whileWorking([msg], () => handler(change, { attempt }));
        msg.ack();
        stats.delivered++;
        return;
      } catch (error) {
        stats.lastError = `${change.eventId}: ${(error as Error).message}`;
        if (attempt >= options.maxDeliveries) {
          await deadLetter(msg, change, (error as Error).message, attempt);
          return;
        }
        if (closing) return;
        // Still ours: tell the server before its ack wait runs out, then try again after a growing delay.
        msg.working();
        await new Promise((r) => setTimeout(r, Math.min(100 * 2 ** attempt, 5_000)));
        msg.working();
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
    async consume(c) {
      const consumer: ChangeConsumer = typeof c === 'function' ? { handle: c } : c;
      for (const partition of partitions) {
        const durable = await ensureConsumer(partition);
        // Consume for as long as the broker lives: when the server goes away and the
        // iterator ends or fails, get the consumer again once the connection is back.
        loops.push((async () => {
          while (!closing) {
            try {
              const messages = await (await js.consumers.get(names.sourceStream, durable)).consume({ max_messages: maxBatch });
              consuming.add(messages);
              // The iterator fills `received` as messages arrive; the worker takes whatever has
              // arrived whenever it is free, so a batch is what waited (no timer, no added latency).
              const received: JsMsg[] = [];
              let ended = false;
              let wake: (() => void) | undefined;
              const worker = (async () => {
                for (;;) {
                  if (received.length === 0) {
                    if (ended || closing) return;
                    await new Promise<void>((resolve) => { wake = resolve; });
                    continue;
                  }
                  try {
                    await handleMany(received.splice(0, maxBatch), consumer);
                  } catch (error) {
                    options.onError?.(error as Error);
                  }
                }
              })();
              try {
                for await (const msg of messages) {
                  received.push(msg);
                  wake?.();
                  wake = undefined;
                }
              } finally {
                ended = true;
                wake?.();
                await worker;
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
