import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { natsTarget, testNamespace } from '../support/nats.js';
import { crmTableReader, runInitialLoad } from '../../mdm/load/initialLoad.js';
import { seedCrmFixture, seedErpFixture } from '../../mdm/testing/fixtures.js';
import { createJetStreamBroker } from '../../events/broker/jetstream.js';

/**
 * Fault tests of the event pipeline as deployed: the capture and the MDM
 * consumer run as processes of their own (events/main.ts) against the
 * PostgreSQL server (logical replication) and NATS JetStream; the test kills
 * them with SIGKILL, restarts them, and counts what the MDM holds.
 */
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const server = (await databaseTargets()).find((t) => t.name === 'postgres')!;
const nats = await natsTarget();
// The 5,000 under CI; 1,000 on a developer's machine (the consumer applies ~10-40 changes/s on a
// shared 2-core box, so 5,000 is minutes of run time). FAULT_TEST_CHANGES overrides either.
const CHANGES = Number(process.env.FAULT_TEST_CHANGES ?? (process.env.CI === 'true' ? 5000 : 1000));

function startEvents(env: Record<string, string>, label: string): { child: ChildProcess; ready: Promise<void>; output: string[] } {
  const output: string[] = [];
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'events', 'main.ts')], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (data: Buffer) => {
      output.push(data.toString());
      if (data.toString().includes('events ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => output.push(d.toString()));
    child.once('exit', (code, signal) => reject(new Error(`${label} exited (${code ?? signal}) before it was ready: ${output.join('').slice(-2000)}`)));
  });
  ready.catch(() => {});
  return { child, ready, output };
}

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

async function until(what: string, check: () => Promise<boolean>, ms: number): Promise<void> {
  const started = Date.now();
  while (!(await check())) {
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

describe.skipIf(Boolean(server.unavailable || nats.unavailable))('the event pipeline survives crashes (real processes, PostgreSQL server, NATS JetStream)', () => {
  let database: TestDatabase;
  let pool: pg.Pool;
  const children: ChildProcess[] = [];

  const countsOf = async (prefix: string) => (await pool.query(
    `SELECT (SELECT count(*)::int FROM mdm.processed_event WHERE source_id IN (SELECT id::text FROM erp.res_partner WHERE name LIKE $1)) AS processed,
            (SELECT count(*)::int FROM mdm.history h WHERE h.actor = 'cdc:erp' AND h.reason LIKE 'incremental match of erp:%'
               AND split_part(substring(h.reason from 'erp:([0-9]+)'), ' ', 1) IN (SELECT id::text FROM erp.res_partner WHERE name LIKE $1)) AS history,
            (SELECT count(DISTINCT x.master_id)::int FROM mdm.xref x JOIN erp.res_partner p ON x.system = 'erp' AND x.source_id = p.id::text
               JOIN mdm.golden_record g ON g.master_id = x.master_id AND g.active WHERE p.name LIKE $1) AS golden,
            (SELECT count(*)::int FROM mdm.xref x JOIN erp.res_partner p ON x.system = 'erp' AND x.source_id = p.id::text
               JOIN mdm.golden_record g ON g.master_id = x.master_id AND g.attributes->>'name' = p.name WHERE p.name LIKE $1) AS current`,
    [`${prefix}%`])).rows[0] as { processed: number; history: number; golden: number; current: number };

  beforeAll(async () => {
    database = await server.create();
    pool = createPool({ connectionString: database.url });
    await seedErpFixture(pool);
    await seedCrmFixture(pool);
    await runInitialLoad(pool, { crm: crmTableReader(pool) });
    await pool.query(`SELECT setval('erp.res_partner_id_seq', (SELECT max(id) FROM erp.res_partner))`);
  });

  // A test that failed midway leaves its processes running; the next test must not share the database with them.
  afterEach(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
  });

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await Promise.all(children.map(exited));
    await pool?.end();
    await database?.drop();
  });

  const env = (namespace: string, natsUrl: string, extra: Record<string, string> = {}) => ({
    DATABASE_URL: database.url, NATS_URL: natsUrl, CDC_NATS_NAMESPACE: namespace,
    CDC_PUBLICATION: `pub_${namespace}`, CDC_SLOT: `slot_${namespace}`, CDC_ERP_MODE: 'logical-replication', ...extra,
  });
  const run = (e: Record<string, string>, label: string) => {
    const started = startEvents(e, label);
    children.push(started.child);
    return started;
  };

  it(`applies each of ${CHANGES} changes exactly once in effect though the consumer is SIGKILLed midway and the capture dies after publishing, before confirming`, async () => {
    const namespace = testNamespace('crash');
    const records = CHANGES / 5;
    const capture = run(env(namespace, nats.url, { CDC_ROLE: 'capture', CDC_FAULT_KILL_AFTER_PUBLISH: '40' }), 'capture');
    await capture.ready;
    let consumer = run(env(namespace, nats.url, { CDC_ROLE: 'consumer' }), 'consumer');
    await consumer.ready;
    // Each statement its own transaction: one change each. An insert, then four renames, per company.
    const names = (n: number, v: number) => `Crashtest ${String(n).padStart(5, '0')} Werkzeug ${v} GmbH`;
    const ids: number[] = [];
    for (let n = 0; n < records; n++) ids.push((await pool.query(`INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank) VALUES ($1, 'Kassel', 2, true, 1) RETURNING id`, [names(n, 0)])).rows[0].id);
    // The capture killed itself after its 40th publish, before confirming the slot: restart it.
    await exited(capture.child);
    expect(capture.child.signalCode).toBe('SIGKILL');
    const capture2 = run(env(namespace, nats.url, { CDC_ROLE: 'capture' }), 'capture (restarted)');
    await capture2.ready;
    // The renames go on while the consumer is killed and restarted: it keeps up with them, so it dies in the middle of the stream.
    const renames = (async () => {
      for (let v = 1; v <= 4; v++) for (let n = 0; n < records; n++) await pool.query('UPDATE erp.res_partner SET name = $2 WHERE id = $1', [ids[n], names(n, v)]);
    })();
    renames.catch(() => {}); // awaited below; a failure before then is reported there, not as an unhandled rejection

    // A cheap count (countsOf reads all of history), so the kill lands while the renames still flow.
    const processedNow = async () => (await pool.query(`SELECT count(*)::int AS n FROM mdm.processed_event WHERE source_id = ANY($1::text[])`, [ids.map(String)])).rows[0].n as number;
    await until('a third of the changes applied', async () => (await processedNow()) >= CHANGES / 3, 600_000);
    consumer.child.kill('SIGKILL');
    await exited(consumer.child);
    const atKill = await countsOf('Crashtest');
    consumer = run(env(namespace, nats.url, { CDC_ROLE: 'consumer' }), 'consumer (restarted)');
    await consumer.ready;
    await renames;
    await until('every change applied', async () => (await countsOf('Crashtest')).current === records, 900_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const final = await countsOf('Crashtest');
    console.info(`[faults] ${CHANGES} changes to ${records} companies; consumer SIGKILLed after ${atKill.processed} applied; final: ${JSON.stringify(final)}`);
    expect(atKill.processed).toBeLessThan(CHANGES);
    expect(final).toEqual({ processed: CHANGES, history: CHANGES, golden: records, current: records });
    const broker = await createJetStreamBroker({ servers: nats.url, namespace, maxDeliveries: 1 });
    try {
      expect((await broker.stats()).deadLetters).toBe(0);
    } finally {
      await broker.deleteStreams();
      await broker.close();
    }
    for (const c of [capture2, consumer]) c.child.kill('SIGTERM');
    await Promise.all([exited(capture2.child), exited(consumer.child)]);
  }, 1_200_000);

  it('loses nothing while its NATS server is stopped for 20 seconds and changes keep coming', async () => {
    const namespace = testNamespace('outage');
    const port = await freePort();
    const storeDir = await mkdtemp(path.join(tmpdir(), 'concord-nats-'));
    const startNats = () => {
      const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
      children.push(child);
      return child;
    };
    let natsServer = startNats();
    const url = `nats://127.0.0.1:${port}`;
    await until('the test NATS server', async () => new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1').once('connect', () => { s.destroy(); resolve(true); }).once('error', () => resolve(false));
    }), 10_000);
    const pipeline = run(env(namespace, url), 'pipeline');
    await pipeline.ready;
    const insert = (n: number) => pool.query(`INSERT INTO erp.res_partner (name, city, country_id, is_company, customer_rank) VALUES ($1, 'Gent', 1, true, 1)`, [`Outage ${String(n).padStart(3, '0')} Logistiek BV`]);
    for (let n = 0; n < 20; n++) await insert(n);
    await until('the first changes applied', async () => (await countsOf('Outage')).current === 20, 60_000);
    natsServer.kill('SIGTERM');
    await exited(natsServer);
    const stoppedAt = Date.now();
    for (let n = 20; n < 60; n++) {
      await insert(n);
      await new Promise((r) => setTimeout(r, 400));
    }
    await new Promise((r) => setTimeout(r, Math.max(0, 20_000 - (Date.now() - stoppedAt))));
    expect((await countsOf('Outage')).current).toBe(20); // nothing moved while the broker was down
    natsServer = startNats();
    await until('every change after the broker returned', async () => (await countsOf('Outage')).current === 60, 120_000)
      .catch((error) => { throw new Error(`${error.message}; pipeline output: ${pipeline.output.join('').slice(-3000)}`); });
    const final = await countsOf('Outage');
    expect(final).toEqual({ processed: 60, history: 60, golden: 60, current: 60 });
    pipeline.child.kill('SIGTERM');
    await exited(pipeline.child);
    natsServer.kill('SIGTERM');
    await exited(natsServer);
    await rm(storeDir, { recursive: true, force: true });
  }, 300_000);
});
