import { ConfigError, readEnum, readInt, readString, readUrl } from '../platform/config.js';
import { SOURCE_PARTITIONS } from './broker/subjects.js';

/**
 * The change-capture pipeline's settings (events/), read from the
 * environment; every variable is optional.
 */
export interface EventsConfig {
  /** NATS server(s) with JetStream; unset runs the pipeline in-process. (`NATS_URL`, e.g. nats://127.0.0.1:4222) */
  natsUrl?: string;
  /**
   * How often the ERP watermark capture polls (PGlite, or a server without
   * logical replication). 250 ms keeps commit → golden record well inside the
   * 2 s goal with room for the match itself; the issue asks for ≥ 2 polls/s.
   * @default 250 (`CDC_POLL_INTERVAL_MS`)
   */
  pollIntervalMs: number;
  /**
   * How far behind its watermark the poll looks again for rows committed late
   * (write_date is the writing transaction's start time, so a transaction that
   * started earlier can commit after a later one; Kafka Connect's JDBC source
   * calls this `timestamp.delay.interval.ms`). Rows seen already are skipped.
   * @default 2000 (`CDC_LOOKBACK_MS`)
   */
  lookbackMs: number;
  /** Rows read per poll and table. @default 1000 (`CDC_BATCH_SIZE`) */
  batchSize: number;
  /**
   * Changes the MDM consumer applies in one transaction (one steward lock,
   * one commit): what each JetStream partition takes in flight, and the size
   * of the in-process broker's batches. Batches form only from what is
   * already waiting, so at a low rate each change still goes alone, at once;
   * 1 applies every change in a transaction of its own (slow: the lock and
   * the commit are paid per change).
   * @default 200 (`CDC_CONSUMER_BATCH`)
   */
  consumerBatch: number;
  /**
   * Readiness: changes waiting while the consumer applied none for this long
   * is a stall (a consumer process down, a lock held, a failing store).
   * @default 30 (`CDC_STALL_SECONDS`)
   */
  stallSeconds: number;
  /**
   * JetStream: how long a delivered change may stay unacknowledged before the
   * server delivers it again (a consumer that died or hangs).
   * @default 30000 (`CDC_ACK_WAIT_MS`)
   */
  ackWaitMs: number;
  /** Deliveries of one change before it goes to the dead letters with its last error. @default 5 (`CDC_MAX_DELIVERIES`) */
  maxDeliveries: number;
  /** The schema holding Odoo's tables. @default erp (`ERP_SCHEMA`; `public` in a real Odoo) */
  erpSchema: string;
  /** The ERP database when it is not the MDM's (a real Odoo). (`ERP_DATABASE_URL`) */
  erpDatabaseUrl?: string;
  /**
   * How the ERP is captured: `logical-replication` (pgoutput from a slot; a
   * PostgreSQL server with wal_level=logical), `watermark` (polling
   * write_date + id; PGlite has no replication protocol), `auto` (logical
   * replication where the server offers it, else the watermark).
   * @default auto (`CDC_ERP_MODE`)
   */
  erpMode: 'auto' | 'logical-replication' | 'watermark';
  /** The publication on res_partner, product_template, product_product. @default concord_erp (`CDC_PUBLICATION`) */
  publication: string;
  /**
   * The replication slot; slots are per server, not per database, so the
   * default names the database. @default concord_erp_<database> (`CDC_SLOT`)
   */
  slot?: string;
  /**
   * What this process runs: `all` (captures and consumer), `capture` or
   * `consumer` (the two halves as separate processes, with NATS between them).
   * @default all (`CDC_ROLE`)
   */
  role: 'all' | 'capture' | 'consumer';
  /**
   * A prefix for JetStream stream names and subjects, so several Concords (or
   * test runs) share one NATS server: `t1` gives streams T1_CONCORD_CDC… and
   * subjects t1.concord.cdc.…; empty uses the contract's names.
   * @default '' (`CDC_NATS_NAMESPACE`)
   */
  natsNamespace: string;
  /** Partitions this process consumes (comma list); empty = all 8. (`CDC_PARTITIONS`) */
  partitions?: number[];
  /**
   * Fault-test hook: the process kills itself (SIGKILL) right after its Nth
   * publish, before the capture confirms its position — the crash that
   * at-least-once delivery must absorb. Unset in any real deployment.
   * (`CDC_FAULT_KILL_AFTER_PUBLISH`)
   */
  faultKillAfterPublish?: number;
  /** CRM capture (HubSpot webhooks + catch-up sweep); off without a CRM base URL. */
  crm: {
    /** The HubSpot API root and private-app token the receiver reads companies with. (`CRM_BASE_URL`, `CRM_TOKEN`) */
    baseUrl?: string;
    token?: string;
    /** The HubSpot app's client secret (the v3 signature key); `npm start` generates one per start. (`CRM_WEBHOOK_SECRET`) */
    webhookSecret?: string;
    /** The receiver's port. @default 4011 (`CRM_WEBHOOK_PORT`) */
    webhookPort: number;
    /** @default 127.0.0.1 (`CRM_WEBHOOK_HOST`) */
    webhookHost: string;
    /** How often the catch-up sweep asks the search API for companies modified since its watermark. @default 30000 (`CRM_SWEEP_INTERVAL_MS`) */
    sweepIntervalMs: number;
  };
}

export function loadEventsConfig(env: Record<string, string | undefined> = process.env): EventsConfig {
  return {
    natsUrl: readUrl(env, 'NATS_URL'),
    pollIntervalMs: readInt(env, 'CDC_POLL_INTERVAL_MS', 250, { min: 10, max: 500 }),
    lookbackMs: readInt(env, 'CDC_LOOKBACK_MS', 2000, { min: 0, max: 600_000 }),
    batchSize: readInt(env, 'CDC_BATCH_SIZE', 1000, { min: 1, max: 100_000 }),
    consumerBatch: readInt(env, 'CDC_CONSUMER_BATCH', 200, { min: 1, max: 1000 }),
    maxDeliveries: readInt(env, 'CDC_MAX_DELIVERIES', 5, { min: 1, max: 100 }),
    ackWaitMs: readInt(env, 'CDC_ACK_WAIT_MS', 30_000, { min: 1_000, max: 3_600_000 }),
    stallSeconds: readInt(env, 'CDC_STALL_SECONDS', 30, { min: 1, max: 86_400 }),
    erpSchema: readString(env, 'ERP_SCHEMA', 'erp'),
    erpDatabaseUrl: readUrl(env, 'ERP_DATABASE_URL'),
    erpMode: readEnum(env, 'CDC_ERP_MODE', ['auto', 'logical-replication', 'watermark'] as const, 'auto'),
    publication: readString(env, 'CDC_PUBLICATION', 'concord_erp'),
    slot: readString(env, 'CDC_SLOT'),
    role: readEnum(env, 'CDC_ROLE', ['all', 'capture', 'consumer'] as const, 'all'),
    natsNamespace: readNamespace(env),
    partitions: readPartitions(env),
    faultKillAfterPublish: env.CDC_FAULT_KILL_AFTER_PUBLISH ? readInt(env, 'CDC_FAULT_KILL_AFTER_PUBLISH', 0, { min: 1 }) : undefined,
    crm: {
      baseUrl: readUrl(env, 'CRM_BASE_URL'),
      token: readString(env, 'CRM_TOKEN'),
      webhookSecret: readString(env, 'CRM_WEBHOOK_SECRET'),
      webhookPort: readInt(env, 'CRM_WEBHOOK_PORT', 4011, { max: 65535 }),
      webhookHost: readString(env, 'CRM_WEBHOOK_HOST', '127.0.0.1'),
      sweepIntervalMs: readInt(env, 'CRM_SWEEP_INTERVAL_MS', 30_000, { min: 100, max: 86_400_000 }),
    },
  };
}

function readNamespace(env: Record<string, string | undefined>): string {
  const value = readString(env, 'CDC_NATS_NAMESPACE', '');
  if (value !== '' && !/^[a-z][a-z0-9_]{0,30}$/.test(value)) throw new ConfigError('CDC_NATS_NAMESPACE', 'lower-case letters, digits and _, starting with a letter', value);
  return value;
}

function readPartitions(env: Record<string, string | undefined>): number[] | undefined {
  const raw = readString(env, 'CDC_PARTITIONS', '');
  if (raw === '') return undefined;
  const parts = raw.split(',').map((p) => Number(p.trim()));
  if (parts.some((p) => !Number.isInteger(p) || p < 0 || p >= SOURCE_PARTITIONS)) throw new ConfigError('CDC_PARTITIONS', `a comma list of partitions 0 to ${SOURCE_PARTITIONS - 1}`, raw);
  return parts;
}
