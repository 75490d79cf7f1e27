import { spawn, execFile, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { natsTarget, testNamespace } from '../support/nats.js';
import { crmTableReader, runInitialLoad } from '../../mdm/load/initialLoad.js';
import { seedCrmFixture, seedErpFixture } from '../../mdm/testing/fixtures.js';
import { createJetStreamBroker } from '../../events/broker/jetstream.js';
import type { CdcStatus } from '../../events/status.js';

/**
 * The operator's view of a running pipeline: `concord cdc status --json`
 * (a separate CLI process, as an operator runs it), and the events process's
 * GET /metrics and GET /ready, against events/main.ts running on the
 * PostgreSQL server (logical replication) and NATS JetStream. Each figure is
 * read, something is done that must move it, and it is read again.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const server = (await databaseTargets()).find((t) => t.name === 'postgres')!;
const nats = await natsTarget();
const run = promisify(execFile);

async function until<T>(what: string, check: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A Prometheus text exposition as name{labels} → value. */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

describe.skipIf(Boolean(server.unavailable || nats.unavailable))('operating the pipeline: concord cdc status, the events process /metrics and /ready', () => {
  const namespace = testNamespace('ops');
  let database: TestDatabase;
  let pool: pg.Pool;
  let events: ChildProcess | undefined;
  const output: string[] = [];
  let httpUrl: string;
  const env = () => ({
    ...process.env, DATABASE_URL: database.url, NATS_URL: nats.url, CDC_NATS_NAMESPACE: namespace,
    CDC_PUBLICATION: `pub_${namespace}`, CDC_SLOT: `slot_${namespace}`, CDC_ERP_MODE: 'logical-replication',
    CDC_MAX_DELIVERIES: '2', CDC_ACK_WAIT_MS: '1000',
  });

  beforeAll(async () => {
    database = await server.create();
    pool = createPool({ connectionString: database.url });
    await seedErpFixture(pool);
    await seedCrmFixture(pool);
    await runInitialLoad(pool, { crm: crmTableReader(pool) });
    await pool.query(`SELECT setval('erp.res_partner_id_seq', (SELECT max(id) FROM erp.res_partner))`);
    const port = await freePort();
    httpUrl = `http://127.0.0.1:${port}`;
    events = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'events', 'main.ts')], {
      cwd: root, env: { ...env(), CDC_HTTP_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    events.stdout!.on('data', (d: Buffer) => output.push(d.toString()));
    events.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    await until('events ready', async () => output.join('').includes('events ready'), 60_000);
  }, 120_000);

  afterAll(async () => {
    if (events && events.exitCode === null) {
      events.kill('SIGTERM');
      await new Promise((r) => events!.once('exit', r));
    }
    const broker = await createJetStreamBroker({ servers: nats.url, namespace, maxDeliveries: 1 });
    await broker.deleteStreams();
    await broker.close();
    await pool?.end();
    await database?.drop();
  });

  const cdcStatus = async (): Promise<CdcStatus> => {
    const { stdout } = await run(process.execPath, [path.join(root, 'bin', 'concord.mjs'), 'cdc', 'status', '--json', '--database-url', database.url], { cwd: root, env: env() });
    return JSON.parse(stdout) as CdcStatus;
  };
  const metrics = async () => parseMetrics(await (await request(`${httpUrl}/metrics`)).body.text());
  const ready = async () => {
    const response = await request(`${httpUrl}/ready`);
    return { status: response.statusCode, body: await response.body.json() as { status: string; reasons: string[] } };
  };
  const insert = async (name: string) => String((await pool.query(
    `INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank) VALUES ($1, 'Kassel', 2, true, 1) RETURNING id`, [name])).rows[0].id);
  const applied = async (ids: string[]) => (await pool.query(`SELECT count(*)::int AS n FROM mdm.xref WHERE entity_type = 'customer' AND system = 'erp' AND source_id = ANY($1::text[])`, [ids])).rows[0].n as number;

  it('cdc status and /metrics move with changes applied: the slot position, changes applied, captured and applied counters', async () => {
    const before = await cdcStatus();
    const metricsBefore = await metrics();
    expect(before.broker).toBe('jetstream');
    expect(before.sources[0]).toMatchObject({ source: 'erp', mode: 'logical-replication', deadLetters: 0, lastError: null });
    const ids: string[] = [];
    for (let n = 0; n < 12; n++) ids.push(await insert(`Operator Probe ${n} Maschinenbau GmbH`));
    await until('12 changes applied', async () => (await applied(ids)) === 12);
    const after = await until('the slot confirmed past them', async () => {
      const s = await cdcStatus();
      return (s.sources[0].position as any).confirmedLsn !== (before.sources[0].position as any).confirmedLsn ? s : undefined;
    });
    expect(after.applied.total).toBeGreaterThanOrEqual(before.applied.total + 12);
    expect((after.applied.byOutcome.applied ?? 0) - (before.applied.byOutcome.applied ?? 0)).toBeGreaterThanOrEqual(12);
    expect(Date.parse(after.applied.lastAppliedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect((after.sources[0].position as any).active).toBe(true);
    // The running capture reports its lag (the slot alone cannot say): nothing pending once all is confirmed.
    const caughtUp = await until('the lag reported as none', async () => { const s = await cdcStatus(); return s.sources[0].lagEvents === 0 && s.sources[0].lagSeconds === 0 ? s : undefined; });
    expect(Date.parse((caughtUp.sources[0].position as any).reportedAt)).toBeGreaterThan(Date.now() - 15_000);
    expect((await metrics()).get('concord_cdc_lag_events{source="erp"}')).toBe(0);
    const m = await metrics();
    expect(m.get('concord_cdc_captured_total{source="erp"}')! - (metricsBefore.get('concord_cdc_captured_total{source="erp"}') ?? 0)).toBeGreaterThanOrEqual(12);
    expect(m.get('concord_cdc_applied_total{outcome="applied"}')! - (metricsBefore.get('concord_cdc_applied_total{outcome="applied"}') ?? 0)).toBeGreaterThanOrEqual(12);
    expect(m.get('concord_cdc_source_up{source="erp"}')).toBe(1);
    expect((await ready()).status).toBe(200);
  });

  it('cdc status and /metrics count redeliveries (a consumer frozen past the ack wait) and dead letters (a change the store refuses)', async () => {
    const before = await cdcStatus();
    const metricsBefore = await metrics();
    // The consumer takes the change and waits for a lock this test holds; then the process is frozen (SIGSTOP)
    // past the 1 s ack wait, so it cannot tell JetStream it is still working: the server delivers the change
    // again, and the event id absorbs the copy once the process runs on.
    const holder = await pool.connect();
    let held: string;
    try {
      await holder.query('BEGIN');
      await holder.query('LOCK TABLE mdm.processed_event IN ACCESS EXCLUSIVE MODE');
      held = await insert('Operator Held Werkzeugbau GmbH');
      await until('the consumer waiting for the lock', async () => (await pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name LIKE 'concord-events%'`)).rowCount! > 0, 15_000);
      events!.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 3_000));
    } finally {
      events!.kill('SIGCONT');
      await holder.query('COMMIT');
      holder.release();
    }
    await until('the held change applied', async () => (await applied([held])) === 1);
    const redelivered = await until('the redelivery in cdc status', async () => { const s = await cdcStatus(); return s.sources[0].redeliveries > before.sources[0].redeliveries ? s : undefined; });
    expect(redelivered.applied.total).toBe(before.applied.total + 1); // the copy changed nothing
    // A change the MDM store refuses on every delivery goes to the dead letters after CDC_MAX_DELIVERIES=2; the rest flows.
    await pool.query(`ALTER TABLE mdm.source_record ADD CONSTRAINT operator_poison CHECK (attributes->>'name' IS DISTINCT FROM 'Operator Poison GmbH') NOT VALID`);
    try {
      const poison = await insert('Operator Poison GmbH');
      const next = await insert('Operator After Poison GmbH');
      await until('the change after the poison applied', async () => (await applied([next])) === 1);
      expect(await applied([poison])).toBe(0);
      const after = await until('a dead letter in cdc status', async () => { const s = await cdcStatus(); return s.sources[0].deadLetters > before.sources[0].deadLetters ? s : undefined; });
      expect(after.sources[0].deadLetters).toBe(before.sources[0].deadLetters + 1);
      expect(after.sources[0].redeliveries!).toBeGreaterThan(before.sources[0].redeliveries ?? 0);
      expect(after.applied.byOutcome.replayed ?? 0).toBe(0); // a replay writes no row: the copy changed nothing
      const m = await metrics();
      expect(m.get('concord_cdc_dead_letters')).toBe((metricsBefore.get('concord_cdc_dead_letters') ?? 0) + 1);
      expect(m.get('concord_cdc_redeliveries_total')!).toBeGreaterThan(metricsBefore.get('concord_cdc_redeliveries_total') ?? 0);
    } finally {
      await pool.query('ALTER TABLE mdm.source_record DROP CONSTRAINT operator_poison');
    }
  });

  it('/ready answers 503 with the reason while the ERP capture has lost its replication stream, and cdc status shows the last error; both recover', async () => {
    expect((await ready()).status).toBe(200);
    await pool.query(`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = $1 AND active_pid IS NOT NULL`, [`slot_${namespace}`]);
    const broken = await until('/ready 503', async () => { const r = await ready(); return r.status === 503 ? r : undefined; });
    expect(broken.body.status).toBe('degraded');
    expect(broken.body.reasons.join(' ')).toMatch(/^erp capture: /);
    const status = await until('the error in cdc status', async () => { const s = await cdcStatus(); return s.sources[0].lastError ? s : undefined; });
    expect(status.sources[0].lastError).toMatch(/ERP logical replication/);
    expect((await metrics()).get('concord_cdc_source_up{source="erp"}')).toBe(0);
    // The capture resubscribes from the slot; its next confirmed change clears the error.
    const id = await insert('Operator Recovered Feinmechanik GmbH');
    await until('the change after the reconnect applied', async () => (await applied([id])) === 1);
    await until('/ready 200 again', async () => (await ready()).status === 200);
    expect((await metrics()).get('concord_cdc_source_up{source="erp"}')).toBe(1);
  });
});
