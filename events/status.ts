import type pg from 'pg';
import { quoteIdent } from '../platform/db/index.js';
import type { ErpReplicationReport } from './capture/erpLogicalReplication.js';

/** The capture_position row where a running logical-replication capture reports its lag. */
export const ERP_REPLICATION_REPORT = 'erp:replication';
/** A report older than this: the capture is not running (it reports every second). */
const REPORT_FRESH_MS = 10_000;

/** One source's capture as an operator sees it (`concord cdc status`). */
export interface SourceStatus {
  source: 'erp' | 'crm';
  mode: string;
  position: unknown;
  /** Seconds the captured position is behind the source's newest change (null: unknown). */
  lagSeconds: number | null;
  /** Changes in the source not yet captured (null: the source cannot say, e.g. a slot counts WAL bytes). */
  lagEvents: number | null;
  /** Deliveries of this source's changes after their first, since the store was created (the consumers' running total). */
  redeliveries: number;
  deadLetters: number;
  lastError: string | null;
  lastErrorAt: string | null;
}

export interface CdcStatus {
  sources: SourceStatus[];
  applied: { total: number; lastAppliedAt: string | null; byOutcome: Record<string, number> };
  broker: 'jetstream' | 'in-process';
}

/**
 * Reads the pipeline's durable state from the MDM store and the ERP (and
 * JetStream's consumer counts through `jetstream`, when given): what a
 * separate CLI process can know without talking to the running pipeline.
 */
export async function readCdcStatus(pool: pg.Pool, options: {
  erpPool?: pg.Pool; erpSchema?: string; slot?: string; jetstream?: { deadLetters(): Promise<number> };
  /** Asks the CRM what was modified after the sweep's watermark (hubSpotModifiedAfter); without it the CRM's lag is unknown. */
  crmModifiedAfter?: (since: number) => Promise<{ total: number; newest: string | null }>;
} = {}): Promise<CdcStatus> {
  const erp = options.erpPool ?? pool;
  const s = quoteIdent(options.erpSchema ?? 'erp');
  const positions = new Map((await pool.query('SELECT source, position, updated_at, last_error, last_error_at FROM mdm.capture_position')).rows.map((r) => [r.source as string, r]));
  const deadBySystem = new Map((await pool.query(`SELECT lower(payload->>'system') AS system, count(*)::int AS n FROM mdm.dead_letter_event GROUP BY 1`)).rows.map((r) => [r.system, r.n as number]));
  // Running totals the consumers keep (mdm.cdc_redelivery): JetStream's num_redelivered counts only those still unacknowledged.
  const redelivered = new Map((await pool.query('SELECT system, redeliveries::int AS n FROM mdm.cdc_redelivery')).rows.map((r) => [r.system as string, r.n as number]));
  const jsDead = options.jetstream ? await options.jetstream.deadLetters() : 0;
  const errorOf = (...sources: string[]) => {
    const rows = sources.map((x) => positions.get(x)).filter((r) => r?.last_error).sort((a, b) => b.last_error_at - a.last_error_at);
    return { lastError: rows[0]?.last_error ?? null, lastErrorAt: rows[0]?.last_error_at?.toISOString() ?? null };
  };

  const sources: SourceStatus[] = [];
  const slot = (await erp.query(
    `SELECT slot_name, confirmed_flush_lsn::text AS lsn, (pg_current_wal_lsn() - confirmed_flush_lsn)::bigint AS behind, active
       FROM pg_replication_slots WHERE plugin = 'pgoutput' AND database = current_database()
        AND (slot_name = $1 OR ($1 IS NULL AND slot_name LIKE 'concord%')) ORDER BY slot_name LIMIT 1`,
    [options.slot ?? null],
  ).catch(() => ({ rows: [] as any[] }))).rows[0];
  if (slot) {
    // The slot says how many WAL bytes are unconfirmed (other databases' and tables' included), not how many
    // changes or how old: those come from the running capture's report. Without a fresh one they are unknown.
    const report = positions.get(ERP_REPLICATION_REPORT)?.position as ErpReplicationReport | undefined;
    const fresh = report && report.slot === slot.slot_name && Date.now() - Date.parse(report.reportedAt) <= REPORT_FRESH_MS ? report : undefined;
    sources.push({
      source: 'erp', mode: 'logical-replication',
      position: { slot: slot.slot_name, confirmedLsn: slot.lsn, walBytesBehind: Number(slot.behind), active: slot.active, lastCommitAt: report?.lastCommitAt ?? null, reportedAt: report?.reportedAt ?? null },
      lagSeconds: fresh ? (fresh.oldestPendingAt ? Math.max(0, (Date.now() - Date.parse(fresh.oldestPendingAt)) / 1000) : 0) : null,
      lagEvents: fresh ? fresh.pendingChanges : null, redeliveries: redelivered.get('erp') ?? 0, deadLetters: (deadBySystem.get('erp') ?? 0) + jsDead, ...errorOf('erp:res_partner', 'erp:product_product', 'erp'),
    });
  } else if (positions.has('erp:res_partner')) {
    const partner = positions.get('erp:res_partner')!.position as { writeDate: string; id: number };
    const product = positions.get('erp:product_product')?.position as { writeDate: string; id: number } | undefined;
    const behind = (await erp.query(
      `SELECT count(*)::int AS n, to_char(max(write_date), 'YYYY-MM-DD"T"HH24:MI:SS.US') AS newest FROM ${s}.res_partner WHERE is_company AND (write_date, id) > ($1::timestamp, $2::int)`,
      [partner.writeDate, partner.id],
    )).rows[0];
    const behindProducts = product ? (await erp.query(
      `SELECT count(*)::int AS n FROM ${s}.product_product pp JOIN ${s}.product_template pt ON pt.id = pp.product_tmpl_id
        WHERE (GREATEST(pp.write_date, pt.write_date), pp.id) > ($1::timestamp, $2::int)`, [product.writeDate, product.id])).rows[0].n as number : 0;
    sources.push({
      source: 'erp', mode: 'watermark', position: { res_partner: partner, product_product: product ?? null },
      lagSeconds: behind.newest ? Math.max(0, (Date.parse(`${behind.newest}Z`) - Date.parse(`${partner.writeDate}Z`)) / 1000) : 0,
      lagEvents: behind.n + behindProducts, redeliveries: redelivered.get('erp') ?? 0, deadLetters: (deadBySystem.get('erp') ?? 0) + jsDead, ...errorOf('erp:res_partner', 'erp:product_product', 'erp'),
    });
  }
  if (positions.has('crm:companies')) {
    const sweep = positions.get('crm:companies')!;
    const received = (await pool.query(`SELECT count(*)::int AS n, max(received_at) AS last FROM mdm.crm_webhook_event`)).rows[0];
    // Behind the catch-up sweep: what the CRM changed after its watermark. Webhooks have usually brought
    // those already; the sweep is what guarantees them, so this is the bound an operator can rely on.
    const since = Number(sweep.position.modifiedSince);
    const after = options.crmModifiedAfter ? await options.crmModifiedAfter(since).catch(() => undefined) : undefined;
    sources.push({
      source: 'crm', mode: 'webhooks', position: { sweptUpTo: new Date(since).toISOString(), webhookEvents: received.n, lastWebhookAt: received.last?.toISOString() ?? null },
      lagSeconds: after ? (after.newest ? Math.max(0, (Date.parse(after.newest) - since) / 1000) : 0) : null,
      lagEvents: after ? after.total : null, redeliveries: redelivered.get('crm') ?? 0, deadLetters: deadBySystem.get('crm') ?? 0, ...errorOf('crm:companies', 'crm'),
    });
  }
  const applied = (await pool.query(`SELECT outcome, count(*)::int AS n, max(processed_at) AS last FROM mdm.processed_event GROUP BY outcome`)).rows;
  const last = applied.map((r) => r.last as Date).sort((a, b) => b.getTime() - a.getTime())[0];
  return {
    sources,
    applied: { total: applied.reduce((n, r) => n + r.n, 0), lastAppliedAt: last?.toISOString() ?? null, byOutcome: Object.fromEntries(applied.map((r) => [r.outcome, r.n])) },
    broker: options.jetstream ? 'jetstream' : 'in-process',
  };
}

/** The status as the CLI prints it. */
export function formatCdcStatus(status: CdcStatus): string {
  const lines = [`broker: ${status.broker}; changes applied: ${status.applied.total} (${Object.entries(status.applied.byOutcome).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}), last at ${status.applied.lastAppliedAt ?? 'never'}`];
  if (status.sources.length === 0) lines.push('no capture has run against this database yet');
  for (const s of status.sources) {
    lines.push(`${s.source.toUpperCase()} (${s.mode})`);
    lines.push(`  position      ${JSON.stringify(s.position)}`);
    lines.push(`  lag           ${s.lagSeconds === null ? 'n/a' : `${s.lagSeconds.toFixed(1)} s`}, ${s.lagEvents === null ? 'n/a' : `${s.lagEvents} changes`}`);
    lines.push(`  redeliveries  ${s.redeliveries}`);
    lines.push(`  dead letters  ${s.deadLetters}`);
    lines.push(`  last error    ${s.lastError ? `${s.lastError} (${s.lastErrorAt})` : 'none'}`);
  }
  return `${lines.join('\n')}\n`;
}
