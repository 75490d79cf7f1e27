import pg from 'pg';
import { LogicalReplicationService, PgoutputPlugin, type Pgoutput } from 'pg-logical-replication';
import { quoteIdent } from '../../platform/db/index.js';
import type { CapturedChange } from '../change.js';
import { toIso } from '../../mdm/load/erpReader.js';
import { erpStreams, type ErpStream } from './erpStreams.js';
import type { CaptureStatus, SourceCapture } from './types.js';

export interface ErpLogicalReplicationOptions {
  /** The ERP database (a PostgreSQL server with wal_level=logical); a replication connection is opened on it. */
  connectionString: string;
  /** Reads the mapped records (country codes, the product's template) by id. */
  db: pg.Pool;
  schema: string;
  /** @default concord_erp */
  publication?: string;
  /** @default concord_erp */
  slot?: string;
  publish: (changes: CapturedChange[]) => Promise<void>;
  onError?: (error: Error) => void;
  /**
   * Where the capture reports its lag every `reportIntervalMs` (the MDM's
   * capture_position table), so `concord cdc status` in another process can
   * show it: the slot alone says how many WAL bytes are unconfirmed, not how
   * many changes or how old they are.
   */
  report?: (report: ErpReplicationReport) => Promise<void>;
  /** @default 1000 */
  reportIntervalMs?: number;
  /** Pause before reconnecting after an error. @default 1000 */
  retryMs?: number;
}

const TABLES = ['res_partner', 'product_template', 'product_product'] as const;

/** Committed ERP transactions published together at most (a burst of one huge transaction is still one). */
const MAX_GROUP = 1000;

/** The rows one ERP transaction changed, as pgoutput sent them. */
interface ErpTransaction {
  partners: Map<number, { op: 'upsert' | 'delete'; row: Record<string, any> | null }>;
  variants: Map<number, 'upsert' | 'delete'>;
  templates: Set<number>;
}

/** What the running capture knows of its lag, as it reports it. */
export interface ErpReplicationReport {
  slot: string;
  confirmedLsn: string | null;
  /** Commit time of the last transaction published and confirmed. */
  lastCommitAt: string | null;
  /** Rows changed by transactions received from the slot and not yet published and confirmed. */
  pendingChanges: number;
  /** Commit time of the oldest of those transactions (null: none pending). */
  oldestPendingAt: string | null;
  reportedAt: string;
}

/** Lag figures from the transactions received and not yet confirmed. */
export function lagOf(pending: ReadonlyArray<{ commitTime: number; rows: number }>, now = Date.now()): { lagSeconds: number; lagEvents: number } {
  if (pending.length === 0) return { lagSeconds: 0, lagEvents: 0 };
  return { lagSeconds: Math.max(0, (now - pending[0].commitTime) / 1000), lagEvents: pending.reduce((n, p) => n + p.rows, 0) };
}

/**
 * Creates the publication on the tables Concord reads and the logical
 * replication slot (pgoutput), if missing. Needs a role with REPLICATION (or
 * a superuser) and wal_level=logical.
 */
export async function ensureErpReplication(db: pg.Pool, schema: string, publication: string, slot: string): Promise<void> {
  const level = (await db.query('SHOW wal_level')).rows[0].wal_level;
  if (level !== 'logical') throw new Error(`the ERP database runs wal_level=${level}; logical replication needs wal_level=logical (ALTER SYSTEM SET wal_level = logical, then restart PostgreSQL)`);
  const s = quoteIdent(schema);
  const exists = await db.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [publication]);
  if (!exists.rowCount) await db.query(`CREATE PUBLICATION ${quoteIdent(publication)} FOR TABLE ${TABLES.map((t) => `${s}.${t}`).join(', ')}`);
  const slotExists = await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [slot]);
  if (!slotExists.rowCount) await db.query(`SELECT pg_create_logical_replication_slot($1, 'pgoutput')`, [slot]);
}

/** Drops the slot (and the publication): a slot left behind keeps WAL on the server forever. */
export async function dropErpReplication(db: pg.Pool, publication: string, slot: string): Promise<void> {
  await db.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]);
  await db.query(`DROP PUBLICATION IF EXISTS ${quoteIdent(publication)}`);
}

/**
 * ERP change capture on a PostgreSQL server: logical replication with the
 * pgoutput plugin from a named slot. The changes of one committed
 * transaction are mapped (the rows read by id, as the watermark capture maps
 * them; a product_template change becomes a change of each of its variants;
 * a DELETE is a delete), published, and only then is the commit's LSN
 * acknowledged: the slot's confirmed position moves only past changes safely
 * in the broker, and a restart resumes from the slot (at-least-once; event
 * ids carry the commit LSN, so a replay has the same ids).
 */
export function createErpLogicalReplicationCapture(options: ErpLogicalReplicationOptions): SourceCapture {
  const publication = options.publication ?? 'concord_erp';
  const slot = options.slot ?? 'concord_erp';
  const streams = new Map(erpStreams(options.schema).map((s) => [s.objectType, s]));
  const status: CaptureStatus = { source: 'erp', mode: 'logical-replication', position: null, lagSeconds: 0, lagEvents: 0, captured: 0 };
  let service: LogicalReplicationService | undefined;
  let stopped = false;
  let restarting: NodeJS.Timeout | undefined;
  let lastCommitTime = 0;
  // The last position the slot was told is safe: answered to the server's keepalives.
  let confirmed: string | undefined;
  // Committed transactions not yet published, in WAL order, and the worker publishing them.
  let committed: { done: ErpTransaction; lsn: string; end: string; commitTime: number; entry: { commitTime: number; rows: number }; service: LogicalReplicationService }[] = [];
  let publishing = false;
  let chain: Promise<void> = Promise.resolve();
  // Transactions received and not yet confirmed, oldest first: the lag in changes and in seconds.
  let pending: { commitTime: number; rows: number }[] = [];
  let heldSince: number | undefined;
  let reporter: NodeJS.Timeout | undefined;
  const lag = () => lagOf(heldSince !== undefined ? [{ commitTime: heldSince, rows: 0 }, ...pending] : pending);
  const report = (): ErpReplicationReport => {
    const oldest = heldSince ?? pending[0]?.commitTime;
    return {
      slot, confirmedLsn: confirmed ?? null, lastCommitAt: lastCommitTime ? new Date(lastCommitTime).toISOString() : null,
      pendingChanges: lag().lagEvents, oldestPendingAt: oldest !== undefined ? new Date(oldest).toISOString() : null, reportedAt: new Date().toISOString(),
    };
  };
  // res_partner changes carry their row image (the state at that commit: every change counts, in order);
  // product variants are read by id (their name and price live in the template row).
  let txn: ErpTransaction | undefined;
  const countryCodes = new Map<number, string>();

  const idOf = (row: Record<string, unknown> | null | undefined) => Number(row?.id);

  function onMessage(lsn: string, message: Pgoutput.Message): void {
    if (message.tag === 'begin') {
      txn = { partners: new Map(), variants: new Map(), templates: new Set() };
      return;
    }
    if (!txn) return;
    if (message.tag === 'insert' || message.tag === 'update' || message.tag === 'delete') {
      if (message.relation.schema !== options.schema) return;
      const table = message.relation.name;
      const row = message.tag === 'delete' ? (message.old ?? message.key) : message.new;
      const op = message.tag === 'delete' ? 'delete' : 'upsert';
      if (table === 'res_partner') txn.partners.set(idOf(row), { op, row: op === 'upsert' ? row : null });
      else if (table === 'product_product') txn.variants.set(idOf(row), op);
      else if (table === 'product_template' && op === 'upsert') txn.templates.add(idOf(row));
      return;
    }
    if (message.tag === 'commit') {
      const done = txn;
      txn = undefined;
      // pgoutput's commit time is microseconds since the Unix epoch.
      const commitTime = Number(message.commitTime) / 1000;
      const end = message.commitEndLsn ?? lsn;
      const entry = { commitTime: commitTime || Date.now(), rows: done.partners.size + done.variants.size + done.templates.size };
      pending.push(entry);
      committed.push({ done, lsn: message.commitLsn ?? lsn, end, commitTime, entry, service: service! });
      if (!publishing) chain = publishCommitted();
    }
  }

  /**
   * Maps and publishes the committed transactions waiting, in WAL order, as
   * many as have queued up at once (up to MAX_GROUP): one publish for all,
   * then the last one's LSN is acknowledged. While the broker answers one
   * group, the next queues, so a commit never waits for the broker round trip
   * of every commit before it (at hundreds of small transactions a second
   * that round trip, one at a time, was the limit).
   */
  async function publishCommitted(): Promise<void> {
    publishing = true;
    try {
      while (committed.length > 0) {
        const group = committed.splice(0, MAX_GROUP);
        const current = group[0].service;
        if (service !== current) continue; // received by a stream replaced since: the slot sends it again
        try {
          const changes: CapturedChange[] = [];
          for (const t of group) changes.push(...await mapTransaction(t.done, t.lsn, t.commitTime));
          if (changes.length > 0) await options.publish(changes);
          if (service !== current) continue;
          const last = group[group.length - 1];
          await current.acknowledge(last.end);
          const published = new Set(group.map((t) => t.entry));
          pending = pending.filter((p) => !published.has(p));
          heldSince = undefined;
          confirmed = last.end;
          status.lastError = undefined;
          status.position = { slot, confirmedLsn: last.end };
          status.captured += changes.length;
          lastCommitTime = last.commitTime;
        } catch (error) {
          if (service === current) fail(error as Error); // a stream already replaced has failed once
        }
      }
    } finally {
      publishing = false;
    }
  }

  async function mapTransaction(done: ErpTransaction, lsn: string, commitTime: number): Promise<CapturedChange[]> {
    const changes: CapturedChange[] = [];
    const occurredAt = new Date(commitTime || Date.now()).toISOString();
    const emit = async (stream: ErpStream, ids: Map<number, 'upsert' | 'delete'>) => {
      if (ids.size === 0) return;
      const rows = new Map((await stream.byIds(options.db, [...ids.keys()])).map((r) => [Number(r.id), r]));
      for (const [id, op] of ids) {
        const row = rows.get(id);
        const eventId = `erp:${stream.objectType}:${id}:${lsn}`;
        // A deleted row, one that is no longer a customer, or one filtered out (a contact person) is gone for the MDM.
        if (op === 'delete' || !row || !row.live) {
          if (op === 'delete' || (row && !row.live)) {
            changes.push({ eventId, system: 'ERP', objectType: stream.objectType, entityType: stream.entityType, sourceId: String(id), op: 'delete', occurredAt, updatedAt: row ? `${row.wd}Z` : occurredAt });
          }
          continue;
        }
        const updatedAt = `${row.wd}Z`;
        changes.push({
          eventId, system: 'ERP', objectType: stream.objectType, entityType: stream.entityType, sourceId: String(id), op: 'upsert',
          occurredAt, updatedAt, record: { ...stream.toRecord(row)!, updatedAt },
        });
      }
    };
    const partners = streams.get('res_partner')!;
    for (const [id, { op, row }] of done.partners) {
      const eventId = `erp:res_partner:${id}:${lsn}`;
      const base = { eventId, system: 'ERP' as const, objectType: 'res_partner', entityType: 'customer' as const, sourceId: String(id), occurredAt };
      if (op === 'delete' || !row) {
        changes.push({ ...base, op: 'delete', updatedAt: occurredAt });
        continue;
      }
      if (!row.is_company) continue; // a contact person: not a customer record
      const updatedAt = toIso(row.write_date) ?? occurredAt;
      if (!(row.active && Number(row.customer_rank) > 0)) {
        changes.push({ ...base, op: 'delete', updatedAt });
        continue;
      }
      const record = partners.toRecord({ ...row, country: await countryCode(row.country_id) })!;
      changes.push({ ...base, op: 'upsert', updatedAt, record: { ...record, updatedAt } });
    }
    if (done.templates.size > 0) {
      const { rows } = await options.db.query(`SELECT id FROM ${quoteIdent(options.schema)}.product_product WHERE product_tmpl_id = ANY($1::int[])`, [[...done.templates]]);
      for (const r of rows) if (!done.variants.has(Number(r.id))) done.variants.set(Number(r.id), 'upsert');
    }
    await emit(streams.get('product_product')!, done.variants);
    return changes;
  }

  async function countryCode(id: unknown): Promise<string | null> {
    if (id === null || id === undefined) return null;
    if (!countryCodes.has(Number(id))) {
      const { rows } = await options.db.query(`SELECT id, code FROM ${quoteIdent(options.schema)}.res_country`);
      for (const r of rows) countryCodes.set(Number(r.id), r.code);
    }
    return countryCodes.get(Number(id)) ?? null;
  }

  function fail(error: Error): void {
    status.lastError = error.message;
    options.onError?.(error);
    // Start over from the slot's confirmed position: whatever was not acknowledged comes again.
    const old = service;
    service = undefined;
    committed = [];
    // The new stream starts at the slot's confirmed position and sends these again; until one is
    // confirmed, the oldest stays the lag (its age keeps growing while the capture is down).
    heldSince = pending[0]?.commitTime ?? heldSince;
    pending = [];
    void old?.stop().catch(() => {});
    // One restart at a time: a second subscription would leave the first holding the slot ("slot … is active for PID …").
    if (!stopped && !restarting) {
      restarting = setTimeout(() => { restarting = undefined; if (!stopped) void subscribe(); }, options.retryMs ?? 1000);
    }
  }

  async function subscribe(): Promise<void> {
    const replication = new LogicalReplicationService(
      { connectionString: options.connectionString },
      // No automatic acknowledgement at all: the library's timer would confirm the last LSN
      // *received*, not the last one safely published. Keepalives are answered below.
      { acknowledge: { auto: false, timeoutSeconds: 0 } },
    );
    service = replication;
    replication.on('heartbeat', (_lsn: string, _timestamp: number, shouldRespond: boolean) => {
      if (shouldRespond && confirmed && service === replication) void replication.acknowledge(confirmed).catch(() => {});
    });
    replication.on('data', (lsn: string, message: Pgoutput.Message) => { if (service === replication) onMessage(lsn, message); });
    replication.on('error', (error: Error) => { if (service === replication) fail(error); });
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] });
    replication.subscribe(plugin, slot).catch((error: Error) => { if (service === replication && !stopped) fail(error); });
  }

  return {
    name: 'erp',
    async start() {
      stopped = false;
      await ensureErpReplication(options.db, options.schema, publication, slot);
      const { rows } = await options.db.query('SELECT confirmed_flush_lsn::text AS lsn FROM pg_replication_slots WHERE slot_name = $1', [slot]);
      confirmed = rows[0]?.lsn ?? undefined;
      await subscribe();
      if (options.report && !reporter) {
        const send = options.report;
        reporter = setInterval(() => { void send(report()).catch(() => {}); }, options.reportIntervalMs ?? 1000);
        reporter.unref();
      }
    },
    async stop() {
      stopped = true;
      clearTimeout(restarting);
      clearInterval(reporter);
      reporter = undefined;
      await chain.catch(() => {});
      const s = service;
      service = undefined;
      await s?.stop().catch(() => {});
    },
    status() {
      return { ...status, ...lag() };
    },
    async refresh() {
      const { rows } = await options.db.query(
        `SELECT confirmed_flush_lsn::text AS lsn, (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS behind FROM pg_replication_slots WHERE slot_name = $1`, [slot]);
      if (rows[0]) {
        status.position = { slot, confirmedLsn: rows[0].lsn, walBytesBehind: Number(rows[0].behind) };
      }
    },
  } as SourceCapture;
}
