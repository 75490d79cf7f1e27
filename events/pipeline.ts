import type pg from 'pg';
import { createInProcessGoldenChangeFeed, type GoldenChangeFeed, type GoldenRecordChanged } from '../platform/events/changeEvents.js';
import { createInProcessBroker } from './broker/inProcess.js';
import { createJetStreamBroker } from './broker/jetstream.js';
import { sourceChangeSubject } from './broker/subjects.js';
import type { BrokerStats, ChangeBroker } from './broker/types.js';
import { hubSpotCompanies } from './capture/crmCompanies.js';
import { createCrmSweep } from './capture/crmSweep.js';
import { startCrmWebhookReceiver, type RunningWebhookReceiver } from './capture/crmWebhooks.js';
import { createErpLogicalReplicationCapture } from './capture/erpLogicalReplication.js';
import { createErpWatermarkCapture } from './capture/erpWatermark.js';
import type { CaptureStatus, SourceCapture } from './capture/types.js';
import type { EventsConfig } from './config.js';
import type { CapturedChange } from './change.js';
import { createMdmConsumer, type ConsumerStats } from './consumer/mdmConsumer.js';
import { storeDeadLetters } from './store/deadLetters.js';
import { createRedeliveryCounter } from './store/redeliveries.js';
import { ERP_REPLICATION_REPORT } from './status.js';
import { createPositionStore } from './store/positions.js';

export interface PipelineStatus {
  broker: BrokerStats;
  /** Undefined in a capture-only process. */
  consumer?: ConsumerStats;
  sources: CaptureStatus[];
}

export interface RunningPipeline {
  /** Golden-record changes as this process applies them (in-process listeners: caches, console, tests). */
  goldenFeed: GoldenChangeFeed;
  status(): Promise<PipelineStatus>;
  /**
   * The pipeline's part of readiness (the stack's gateway /ready, the events
   * process's /ready): healthy while every capture's last attempt succeeded
   * and the consumer keeps up — changes waiting while nothing was applied for
   * `stallSeconds` is a stall. Refused webhooks (bad signatures) are counted
   * in the status, not held against readiness: anyone can send them.
   */
  health(): Promise<{ healthy: boolean; reasons: string[] }>;
  /** Polls the watermark capture once now and waits until what it found is applied (tests, tools); 0 with logical replication. */
  captureNow(): Promise<number>;
  /** The CRM webhook receiver (when the CRM is captured): its URL is the HubSpot app's target URL. */
  webhooks?: RunningWebhookReceiver;
  /** Runs the CRM catch-up sweep now (tests, tools). */
  sweepCrmNow(): Promise<number>;
  stop(): Promise<void>;
}

export interface PipelineOptions {
  /** The MDM store. */
  pool: pg.Pool;
  /** The ERP database (absent: the MDM pool, one database holding every schema). */
  erpPool?: pg.Pool;
  /** The ERP database's URL, for a replication connection (logical replication). */
  erpConnectionString?: string;
  config: EventsConfig;
  /** Where golden-record changes go in process (the gateway's entity cache follows it). @default a feed of the pipeline's own */
  goldenFeed?: GoldenChangeFeed & { publish(change: GoldenRecordChanged): void };
  log?: (line: string) => void;
}

/**
 * The live master-data pipeline: ERP capture (logical replication or
 * watermark) → broker (NATS JetStream with NATS_URL, else in-process) → MDM
 * consumer → golden-record change events (the in-process feed, and the
 * golden stream on JetStream). `config.role` splits it into a capture
 * process and consumer processes (JetStream only). The consumer starts
 * before the captures and stops after them.
 */
export async function startEventPipeline(options: PipelineOptions): Promise<RunningPipeline> {
  const { config } = options;
  const log = options.log ?? (() => {});
  if (!config.natsUrl && config.role !== 'all') throw new Error(`CDC_ROLE=${config.role} needs NATS_URL: without a broker, capture and consumer run in one process`);
  const feed = options.goldenFeed ?? createInProcessGoldenChangeFeed();
  const startedAt = Date.now();
  const redeliveries = createRedeliveryCounter(options.pool, (error) => log(`counting redeliveries: ${error.message}`));
  const jet = config.natsUrl
    ? await createJetStreamBroker({
      servers: config.natsUrl, namespace: config.natsNamespace, maxDeliveries: config.maxDeliveries, partitions: config.partitions, maxBatch: config.consumerBatch, ackWaitMs: config.ackWaitMs,
      name: `concord-events-${config.role}`, onError: (error) => log(`broker: ${error.message}`), onRedelivery: redeliveries.count,
      onRestartFromAckFloor: (partition, held) => log(`partition ${partition}: ${held} changes were left unacknowledged by an earlier consumer; started it over from its ack floor, in order`),
    })
    : undefined;
  const broker: ChangeBroker = jet ?? createInProcessBroker({
    maxDeliveries: config.maxDeliveries, maxBatch: config.consumerBatch, onRedelivery: redeliveries.count,
    deadLetter: storeDeadLetters(options.pool, sourceChangeSubject),
  });
  const stops: Array<() => Promise<void>> = [() => broker.close(), () => redeliveries.stop(), async () => { if (!options.goldenFeed) await feed.close(); }];
  let consumer: ReturnType<typeof createMdmConsumer> | undefined;
  if (config.role !== 'capture') {
    consumer = createMdmConsumer({
      pool: options.pool, maxTransaction: Math.max(config.consumerBatch, 500),
      publishGolden: async (events: GoldenRecordChanged[]) => {
        if (jet) await jet.publishGolden(events);
        for (const event of events) feed.publish(event);
      },
    });
    await broker.consume(consumer);
  }
  const captures: SourceCapture[] = [];
  let publishes = 0;
  // What every capture publishes through: the broker, and the fault-test hook.
  const publish = async (changes: CapturedChange[]) => {
    await broker.publish(changes);
    if (config.faultKillAfterPublish && ++publishes >= config.faultKillAfterPublish) process.kill(process.pid, 'SIGKILL');
  };
  const positions = createPositionStore(options.pool);
  const failed = (source: 'erp' | 'crm', what: string) => (error: Error) => {
    log(`${what}: ${error.message}`);
    void positions.recordError(source, `${what}: ${error.message}`);
  };
  let pollNow: (() => Promise<number>) | undefined;
  if (config.role !== 'consumer') {
    const erpPool = options.erpPool ?? options.pool;
    const mode = await erpCaptureMode(erpPool, config, options.erpConnectionString);
    if (mode === 'logical-replication') {
      const slot = config.slot ?? await defaultSlotName(erpPool);
      captures.push(createErpLogicalReplicationCapture({
        connectionString: options.erpConnectionString!, db: erpPool, schema: config.erpSchema, publication: config.publication, slot,
        publish, onError: failed('erp', 'ERP logical replication'),
        report: (report) => positions.write(ERP_REPLICATION_REPORT, report),
      }));
      log(`live changes: ERP logical replication (publication ${config.publication}, slot ${slot}), ${jet ? 'NATS JetStream' : 'in-process broker'}`);
    } else {
      const watermark = createErpWatermarkCapture({
        db: erpPool, schema: config.erpSchema, positions,
        publish,
        pollIntervalMs: config.pollIntervalMs, lookbackMs: config.lookbackMs, batchSize: config.batchSize,
        onError: failed('erp', 'ERP watermark capture'),
      });
      await watermark.initialise();
      pollNow = () => watermark.pollOnce();
      captures.push(watermark);
      log(`live changes: ERP watermark capture every ${config.pollIntervalMs} ms, ${jet ? 'NATS JetStream' : 'in-process broker'}`);
    }
  }
  let webhooks: RunningWebhookReceiver | undefined;
  let sweep: ReturnType<typeof createCrmSweep> | undefined;
  if (config.role !== 'consumer' && config.crm.baseUrl && config.crm.token) {
    if (!config.crm.webhookSecret) throw new Error('CRM capture needs the HubSpot app client secret (CRM_WEBHOOK_SECRET)');
    const companies = hubSpotCompanies({ baseUrl: config.crm.baseUrl, token: config.crm.token });
    webhooks = await startCrmWebhookReceiver({
      host: config.crm.webhookHost, port: config.crm.webhookPort, clientSecret: config.crm.webhookSecret, pool: options.pool, companies,
      publish, onError: failed('crm', 'CRM webhooks'),
    });
    sweep = createCrmSweep({
      companies, positions, publish,
      intervalMs: config.crm.sweepIntervalMs, onError: failed('crm', 'CRM catch-up sweep'),
    });
    await sweep.sweepOnce(); // sets the watermark on a fresh start
    const receiver = webhooks;
    const crmSweep = sweep;
    captures.push({
      name: 'crm', start: async () => crmSweep.start(),
      stop: async () => { await crmSweep.stop(); await receiver.close(); },
      status: () => {
        const s = crmSweep.status();
        const r = receiver.status();
        return { ...r, position: { ...(r.position as object ?? {}), sweptUpTo: s.watermark }, lagSeconds: s.watermark ? Math.max(0, (Date.now() - Date.parse(s.watermark)) / 1000 - config.crm.sweepIntervalMs / 1000) : 0, ...(s.lastError ? { lastError: s.lastError } : {}) };
      },
    });
    log(`live changes: CRM webhooks at ${webhooks.url}, catch-up sweep every ${config.crm.sweepIntervalMs} ms`);
  }
  for (const capture of captures) await capture.start();
  stops.unshift(...captures.map((c) => () => c.stop()));
  const status = async (options: { refresh?: boolean } = {}): Promise<PipelineStatus> => {
    // The lag figures cost queries on the source: status requests pay for them, readiness probes do not.
    if (options.refresh !== false) for (const capture of captures) await capture.refresh?.();
    return { broker: await broker.stats(), ...(consumer ? { consumer: consumer.stats() } : {}), sources: captures.map((c) => c.status()) };
  };
  return {
    goldenFeed: feed,
    status: () => status(),
    async health() {
      const reasons: string[] = [];
      try {
        const current = await status({ refresh: false });
        for (const source of current.sources) if (source.lastError) reasons.push(`${source.source} capture: ${source.lastError}`);
        if (current.consumer && current.broker.pending > 0) {
          const lastProgress = Math.max(startedAt, current.consumer.lastAppliedAt ? Date.parse(current.consumer.lastAppliedAt) : 0);
          const idle = (Date.now() - lastProgress) / 1000;
          if (idle > config.stallSeconds) {
            reasons.push(`consumer stalled: ${current.broker.pending} changes waiting, none applied for ${Math.round(idle)} s${current.broker.lastError ? ` (last error: ${current.broker.lastError})` : ''}`);
          }
        }
      } catch (error) {
        reasons.push(`pipeline status unavailable: ${(error as Error).message}`);
      }
      return { healthy: reasons.length === 0, reasons };
    },
    async captureNow() {
      return pollNow ? pollNow() : 0;
    },
    webhooks,
    async sweepCrmNow() {
      return sweep ? sweep.sweepOnce() : 0;
    },
    async stop() {
      for (const stop of stops) await stop().catch((error) => log(`stopping the pipeline: ${(error as Error).message}`));
    },
  };
}

/** auto: logical replication where the server runs wal_level=logical (PGlite never does), else the watermark. */
async function erpCaptureMode(db: pg.Pool, config: EventsConfig, connectionString: string | undefined): Promise<'logical-replication' | 'watermark'> {
  if (config.erpMode === 'logical-replication') {
    if (!connectionString) throw new Error('CDC_ERP_MODE=logical-replication needs the ERP database URL (DATABASE_URL or ERP_DATABASE_URL)');
    return 'logical-replication';
  }
  if (config.erpMode === 'watermark' || !connectionString) return 'watermark';
  const level = (await db.query('SHOW wal_level')).rows[0]?.wal_level;
  return level === 'logical' ? 'logical-replication' : 'watermark';
}

/** concord_erp_<database>: slots are named per server, so two databases on one server get their own. */
async function defaultSlotName(db: pg.Pool): Promise<string> {
  const name = (await db.query('SELECT current_database() AS name')).rows[0].name as string;
  return `concord_erp_${name.toLowerCase().replace(/[^a-z0-9_]/g, '_')}`.slice(0, 63);
}
