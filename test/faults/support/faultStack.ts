import { createServer, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type pg from 'pg';
import { createPool } from '../../../platform/db/index.js';
import { Pool as HttpPool } from 'undici';
import { loadDemoIssuer } from '../../../gateway/auth/demoIssuer.js';
import { crmTableReader, runInitialLoad } from '../../../mdm/load/initialLoad.js';
import { seedSandbox } from '../../../sandbox/seed/index.js';
import { databaseTargets, type TestDatabase } from '../../support/databases.js';
import { freePort, startService, type ChildService } from './processes.js';
import { startThrowawayPostgres, throwawayPostgresUnavailable, type ThrowawayPostgres } from './throwawayPostgres.js';

/**
 * Why the fault suite cannot run here (no PostgreSQL server, no PostgreSQL
 * binaries for a cluster of its own), or undefined. Mandatory under CI=true.
 */
export async function faultSuiteUnavailable(): Promise<string | undefined> {
  const server = (await databaseTargets()).find((t) => t.name === 'postgres');
  return server?.unavailable ?? (await throwawayPostgresUnavailable());
}

export interface CrmCall {
  at: number;
  status: number;
}

export interface FaultStack {
  gatewayUrl: string;
  /** Authorization for demo-admin (reads PII). */
  adminHeaders: Record<string, string>;
  /** Golden customers linked to both an ERP partner and a CRM company. */
  customerIds: string[];
  /** The test's own database on the machine's server (CRM stand-in, audit log), read directly (never through the proxy). */
  pool: pg.Pool;
  /** The cluster of the test's own holding the ERP and MDM data: freeze() stops every one of its processes. */
  postgres: ThrowawayPostgres;
  /** The gateway's audit log reaches PostgreSQL only through this proxy. */
  auditProxy: ChildService;
  crmSandbox: ChildService;
  erp: ChildService;
  crm: ChildService;
  mdm: ChildService;
  gateway: ChildService;
  /** Every call the CRM stand-in received, with its status (counted by a proxy in front of it). */
  crmCalls: CrmCall[];
  stop(): Promise<void>;
}

export interface FaultStackOptions {
  companies?: number;
  /** The CRM stand-in's own limit, e.g. "30/3s". @default off */
  crmSandboxRateLimit?: string;
  crmSubgraphEnv?: Record<string, string>;
  gatewayEnv?: Record<string, string>;
  subgraphEnv?: Record<string, string>;
}

const PROOF_SECRET = 'fault-suite-gateway-proof-secret-0123456789abcdef';

/**
 * Concord as docker-compose runs it, every part a process of its own on free
 * ports, with the seams the fault tests pull on: the ERP and MDM data in a
 * PostgreSQL cluster of the test's own (to freeze), the CRM stand-in's data
 * and the audit log in a database of the test's own on the machine's server
 * (a HubSpot is not on Concord's database), a TCP proxy in front of the audit
 * database (to kill or freeze), and a counting HTTP proxy in front of the CRM stand-in.
 */
export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const target = (await databaseTargets()).find((t) => t.name === 'postgres')!;
  const database: TestDatabase = await target.create();
  const pool = createPool({ connectionString: database.url, max: 4, statementTimeouts: false });
  const keyDir = await mkdtemp(path.join(tmpdir(), 'concord-faults-'));
  const started: ChildService[] = [];
  let counter: Server | undefined;
  let counterUpstream: HttpPool | undefined;
  let postgres: ThrowawayPostgres | undefined;
  let clusterPool: pg.Pool | undefined;
  const stop = async () => {
    await postgres?.thaw();
    for (const service of started.reverse()) await service.stop().catch(() => {});
    await new Promise<void>((resolve) => (counter ? counter.close(() => resolve()) : resolve()));
    await counterUpstream?.close();
    await clusterPool?.end().catch(() => {});
    await postgres?.stop();
    await pool.end();
    await database.drop();
    await rm(keyDir, { recursive: true, force: true });
  };
  try {
    postgres = await startThrowawayPostgres();
    const bootstrap = createPool({ connectionString: postgres.url, max: 1, statementTimeouts: false });
    await bootstrap.query('CREATE DATABASE concord');
    await bootstrap.end();
    const clusterUrl = postgres.urlOf('concord');
    clusterPool = createPool({ connectionString: clusterUrl, max: 4, statementTimeouts: false });
    // The same seed in both: the CRM stand-in on the server serves the very records the cluster's MDM linked.
    const companies = options.companies ?? 40;
    await Promise.all([seedSandbox(clusterPool, { seed: 11, companies }), seedSandbox(pool, { seed: 11, companies })]);
    const crmIds = async (db: pg.Pool) => (await db.query<{ ids: string }>(`SELECT string_agg(object_type || ':' || id, ',' ORDER BY object_type, id) AS ids FROM crm.objects`)).rows[0].ids;
    if ((await crmIds(clusterPool)) !== (await crmIds(pool))) throw new Error('the two seeds of the sandbox differ: the CRM stand-in would not serve what the MDM linked');
    await runInitialLoad(clusterPool, { crm: crmTableReader(clusterPool) });
    const customerIds = (await clusterPool.query<{ master_id: string }>(`
      SELECT g.master_id FROM mdm.golden_record g
       WHERE g.entity_type = 'customer' AND g.active
         AND EXISTS (SELECT 1 FROM mdm.xref x WHERE x.master_id = g.master_id AND x.system = 'erp')
         AND EXISTS (SELECT 1 FROM mdm.xref x WHERE x.master_id = g.master_id AND x.system = 'crm')
       ORDER BY g.master_id`)).rows.map((r) => r.master_id);

    const dbUrl = new URL(database.url);
    const proxy = async (name: string) => {
      const port = await freePort();
      const service = await startService({
        name, entry: 'test/faults/support/tcpProxy.ts', port, ready: { tcp: true },
        env: { LISTEN_PORT: String(port), TARGET_HOST: dbUrl.hostname, TARGET_PORT: dbUrl.port || '5432' },
      });
      started.push(service);
      const url = new URL(database.url);
      url.hostname = '127.0.0.1';
      url.port = String(port);
      return { service, url: url.toString() };
    };
    const auditProxy = await proxy('audit-proxy');

    const crmSandboxPort = await freePort();
    const crmSandbox = await startService({
      name: 'crm-sandbox', entry: 'sandbox/crm/main.ts', port: crmSandboxPort,
      env: {
        CRM_SANDBOX_PORT: String(crmSandboxPort), HOST: '127.0.0.1', DATABASE_URL: database.url,
        CRM_SANDBOX_RATE_LIMIT: options.crmSandboxRateLimit ?? 'off',
      },
    });
    started.push(crmSandbox);

    // Counts what the CRM really receives: every call the subgraph sends passes here.
    const crmCalls: CrmCall[] = [];
    counterUpstream = new HttpPool(crmSandbox.origin, { connections: 64 });
    const upstream = counterUpstream;
    counter = createServer((req, res) => {
      const at = Date.now();
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const headers = { ...req.headers };
        delete headers.host;
        delete headers.connection;
        upstream.request({ method: req.method as 'POST', path: req.url ?? '/', headers, body: chunks.length ? Buffer.concat(chunks) : undefined })
          .then(async (answer) => {
            const body = Buffer.from(await answer.body.arrayBuffer());
            crmCalls.push({ at, status: answer.statusCode });
            const out: Record<string, string> = {};
            for (const [k, v] of Object.entries(answer.headers)) if (typeof v === 'string' && k !== 'transfer-encoding' && k !== 'connection') out[k] = v;
            res.writeHead(answer.statusCode, out);
            res.end(body);
          })
          .catch(() => {
            res.writeHead(502);
            res.end();
          });
      });
    });
    const counterPort = await freePort();
    await new Promise<void>((resolve) => counter!.listen(counterPort, '127.0.0.1', resolve));

    const common = { HOST: '127.0.0.1', CONCORD_GATEWAY_PROOF_SECRET: PROOF_SECRET, ...options.subgraphEnv };
    const subgraph = async (name: 'erp' | 'crm' | 'mdm', env: Record<string, string>) => {
      const port = await freePort();
      const service = await startService({
        name: `${name}-subgraph`, entry: `subgraphs/${name}/main.ts`, port, ready: { http: '/health' },
        env: { ...common, [`${name.toUpperCase()}_SUBGRAPH_PORT`]: String(port), ...env },
      });
      started.push(service);
      return service;
    };
    const erp = await subgraph('erp', { ERP_DATABASE_URL: clusterUrl });
    const crm = await subgraph('crm', {
      CRM_BASE_URL: `http://127.0.0.1:${counterPort}`, CRM_TOKEN: 'pat-concord-sandbox', CRM_RATE_BURST: '0', ...options.crmSubgraphEnv,
    });
    const mdm = await subgraph('mdm', { MDM_DATABASE_URL: clusterUrl });

    const keyFile = path.join(keyDir, 'demo-issuer.json');
    const issuer = await loadDemoIssuer({ keyFile });
    const adminToken = await issuer.issueToken({ user: 'demo-admin', ttl: '2h' });
    const gatewayPort = await freePort();
    const gateway = await startService({
      name: 'gateway', entry: 'gateway/main.ts', port: gatewayPort, ready: { http: '/health' },
      env: {
        PORT: String(gatewayPort), HOST: '127.0.0.1', CONCORD_GATEWAY_PROOF_SECRET: PROOF_SECRET, DEMO_ISSUER_KEY_FILE: keyFile,
        ERP_SUBGRAPH_URL: `${erp.origin}/graphql`, CRM_SUBGRAPH_URL: `${crm.origin}/graphql`, MDM_SUBGRAPH_URL: `${mdm.origin}/graphql`,
        AUDIT_DATABASE_URL: auditProxy.url, AUDIT_SPOOL_DIR: path.join(keyDir, 'audit-spool'), DATABASE_URL: '', LOG_LEVEL: 'warn', ...options.gatewayEnv,
      },
    });
    started.push(gateway);

    return {
      gatewayUrl: `${gateway.origin}/graphql`,
      adminHeaders: { authorization: `Bearer ${adminToken}` },
      customerIds,
      pool,
      postgres,
      auditProxy: auditProxy.service,
      crmSandbox,
      erp,
      crm,
      mdm,
      gateway,
      crmCalls,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
