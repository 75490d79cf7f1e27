import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig } from '../../gateway/config.js';
import { startGateway, type RunningGateway } from '../../gateway/server.js';
import { freePort, startService, type ChildService } from '../faults/support/processes.js';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

const customer360 = readFileSync(new URL('./customer360.graphql', import.meta.url), 'utf8');
const server = (await databaseTargets()).find((t) => t.name === 'postgres')!;

/** The gateway's deadline here, and an audit database timeout far beyond it: only the deadline can end the wait. */
const DEADLINE_MS = 1_500;
const AUDIT_DB_TIMEOUT_MS = 10_000;
/** Serialising and sending the answer, timers on a shared 2-core machine. */
const MARGIN_MS = 250;

/**
 * A PII answer while the audit database hangs (a real process in front of it,
 * SIGSTOPped: connections accepted, no byte answered): it comes within its
 * deadline, whole, its record fsync'ed in the spool — and once the database
 * answers again, the record is in audit.field_read exactly once.
 */
describe.skipIf(Boolean(server.unavailable))('a PII answer while the audit database hangs', () => {
  let database: TestDatabase;
  let stack: TestStack;
  let proxy: ChildService;
  let gateway: RunningGateway;
  let spoolDir: string;

  beforeAll(async () => {
    database = await server.create();
    stack = await startTestStack({ databaseUrl: database.url, companies: 30 });
    const port = await freePort();
    const target = new URL(database.url);
    proxy = await startService({
      name: 'audit-proxy', entry: 'test/faults/support/tcpProxy.ts', port, ready: { tcp: true },
      env: { LISTEN_PORT: String(port), TARGET_HOST: target.hostname, TARGET_PORT: target.port || '5432' },
    });
    const auditUrl = new URL(database.url);
    auditUrl.hostname = '127.0.0.1';
    auditUrl.port = String(port);
    spoolDir = await mkdtemp(path.join(tmpdir(), 'concord-audit-deadline-'));
    // A second gateway in front of the stack's subgraphs, configured from the environment as gateway/main.ts is.
    const config = loadGatewayConfig({
      PORT: '0', LOG_LEVEL: 'silent', DEMO_ISSUER_KEY_FILE: stack.demoKeyFile,
      ERP_SUBGRAPH_URL: stack.urls.erp, CRM_SUBGRAPH_URL: stack.urls.crm, MDM_SUBGRAPH_URL: stack.urls.mdm,
      AUDIT_DATABASE_URL: auditUrl.toString(), AUDIT_SPOOL_DIR: spoolDir,
      GATEWAY_REQUEST_TIMEOUT_MS: String(DEADLINE_MS), AUDIT_DB_TIMEOUT_MS: String(AUDIT_DB_TIMEOUT_MS),
    });
    gateway = await startGateway({ ...config, security: { ...config.security!, gatewayProof: stack.gatewayProofKey } });
  }, 180_000);

  afterAll(async () => {
    await gateway?.close();
    await proxy?.stop();
    await stack?.stop();
    await database?.drop();
    if (spoolDir) await rm(spoolDir, { recursive: true, force: true });
  }, 60_000);

  const ask = async (requestId: string, id: string) => {
    const started = Date.now();
    const answer = await postGraphQL(gateway.url, customer360, { id }, { ...stack.headersFor('demo-admin'), 'x-request-id': requestId });
    return { ...answer, tookMs: Date.now() - started };
  };
  const stored = async (requestIds: string[]) =>
    (await stack.pool.query<{ request_id: string; n: number }>(
      'SELECT request_id, count(*)::int AS n FROM audit.field_read WHERE request_id = ANY($1::text[]) GROUP BY request_id ORDER BY request_id', [requestIds],
    )).rows;

  it('comes within its deadline, its record spooled, and the record is replayed exactly once when the database answers again', async () => {
    const { rows } = await stack.pool.query<{ master_id: string }>(`SELECT master_id FROM mdm.golden_record WHERE entity_type = 'customer' AND active ORDER BY master_id LIMIT 3`);
    const ids = rows.map((r) => r.master_id);
    // Warm: the operation planned, the audit database reached (its record goes straight in).
    expect((await ask('deadline-warm', ids[0])).body.errors).toBeUndefined();
    expect(await stored(['deadline-warm'])).toEqual([{ request_id: 'deadline-warm', n: 1 }]);

    proxy.freeze();
    const requestIds = ids.map((_, i) => `deadline-${i}`);
    const answers = await Promise.all(ids.map((id, i) => ask(requestIds[i], id)));
    console.log(`[audit deadline] PII answers while the audit database hangs took ${answers.map((a) => a.tookMs).join(', ')} ms (deadline ${DEADLINE_MS} ms)`);
    for (const answer of answers) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      // Audited values answered, not withheld (AUDIT_UNAVAILABLE would have nulled them).
      const { primaryEmail, openBalance, creditLimit } = answer.body.data.customer;
      expect([primaryEmail, openBalance, creditLimit].filter((v) => v !== null).length).toBeGreaterThan(0);
      expect(answer.tookMs).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
    }
    // On disk before the answers left: one JSON line per record.
    const spooled = await Promise.all((await readdir(spoolDir)).map((f) => readFile(path.join(spoolDir, f), 'utf8')));
    expect(spooled.join('').trim().split('\n').map((l) => JSON.parse(l).request_id).sort()).toEqual(requestIds);
    expect(gateway.audit!.spoolBacklog()).toBe(ids.length);

    proxy.thaw();
    // The replay runs every second; the breaker may hold it back a little while.
    const waitStarted = Date.now();
    while (gateway.audit!.spoolBacklog() > 0 && Date.now() - waitStarted < 20_000) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(gateway.audit!.spoolBacklog()).toBe(0);
    expect(await stored(requestIds)).toEqual(requestIds.map((request_id) => ({ request_id, n: 1 })));
    expect(await readdir(spoolDir)).toEqual([]);
  }, 90_000);
});
