import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { createPool } from '../platform/db/index.js';
import type { SourceRequestListener } from '../platform/sourceRequests.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../platform/db/embeddedPostgres.js';
import { DEFAULT_DATABASE_TIMEOUTS } from '../platform/resilience/index.js';
import type { StackConfig } from './config.js';
import { seedSandbox } from '../sandbox/seed/index.js';
import { startCrmSandbox } from '../sandbox/crm/server.js';
import { runInitialLoad } from '../mdm/load/initialLoad.js';
import { startEventPipeline, type RunningPipeline } from '../events/pipeline.js';
import { startErpSubgraph } from '../subgraphs/erp/server.js';
import { startCrmSubgraph } from '../subgraphs/crm/server.js';
import { startMdmSubgraph } from '../subgraphs/mdm/server.js';
import { startQualitySubgraph } from '../subgraphs/quality/server.js';
import { startGateway, type RunningGateway } from '../gateway/server.js';
import { createInProcessGoldenChangeFeed, type GoldenChangeFeed, type GoldenRecordChanged } from '../platform/events/changeEvents.js';
import { buildConsole } from '../console/build.js';
import type { GraphiQLPageOptions } from '../gateway/graphiql/page.js';
import type { GatewayConfig } from '../gateway/config.js';
import { usageReportingPlugin } from '../gateway/usage/usagePlugin.js';
import { followRegistryTrustedDocuments } from '../gateway/persisted/registryTrustedDocuments.js';
import { isGatewayProofKey, resolveGatewayProofKey, type GatewayProofKey } from '../platform/auth/gatewayProof.js';
import { startRegistry, type RunningRegistry } from '../schema/registry/server.js';
import { registrySupergraphSource } from '../schema/client/supergraphSource.js';
import { createUsageReporter, type UsageReporter } from '../schema/client/usage.js';
import {
  publishStackSubgraphs, resolveStackRegistryTokens, revokeEarlierGeneratedTokens, writeRegistryTokensFile,
  type StackPublishOutcome, type StackRegistryTokens,
} from './registry.js';

export interface StackOptions extends StackConfig {
  /** Called for every source round trip of every subgraph (tests count them). */
  onSourceRequest?: SourceRequestListener;
  /**
   * Golden-record change events for the gateway (its entity cache follows
   * them). @default an in-process feed of the stack's own (`goldenChanges`)
   */
  goldenChanges?: GoldenChangeFeed & { publish(change: GoldenRecordChanged): void };
  /** Progress lines for the operator. */
  log?: (line: string) => void;
}

export interface RunningStack {
  gatewayUrl: string;
  databaseUrl: string;
  /** The key the gateway signs its proof with and the subgraphs check it with (tests call subgraphs directly with it). */
  gatewayProofKey: GatewayProofKey;
  urls: { erp: string; crm: string; mdm: string; quality: string; crmSandbox: string };
  /** A pool on the stack's database, for tests that read the ground truth. */
  pool: pg.Pool;
  /** The live change pipeline (undefined when `liveChanges` is off). */
  pipeline?: RunningPipeline;
  crmSandbox: Awaited<ReturnType<typeof startCrmSandbox>>;
  /** The embedded schema registry the gateway follows (undefined when `registry` is off: the gateway composed at start). */
  registry?: StackRegistry;
  /** Stops the CRM stand-in only (to show what happens when a source is down). */
  stopCrmSandbox(): Promise<void>;
  /** The in-process golden-record change feed the gateway follows: the pipeline publishes into it. */
  goldenChanges: GoldenChangeFeed & { publish(change: GoldenRecordChanged): void };
  /** Exports every span the gateway and the subgraphs have ended so far (no-op with tracing off); stop() flushes too. */
  flushTraces(): Promise<void>;
  stop(): Promise<void>;
}

export interface StackRegistry {
  /** e.g. http://127.0.0.1:4020 — what `concord schema … --registry` takes. */
  url: string;
  tokens: StackRegistryTokens;
  /** Where the tokens were written (mode 0600), if anywhere. */
  tokensFile?: string;
  /** What the start-up publish of erp, crm and mdm did. */
  published: Record<string, StackPublishOutcome>;
  running: RunningRegistry;
  /** Sends the gateway's buffered operation usage now (tests; otherwise every `usageFlushMs`). */
  flushUsage(): Promise<void>;
  /**
   * Starts one more gateway following the same registry with the stack's
   * security and proof key — a scale-out replica on a free port (stopped with
   * the stack). Each replica records and reports usage too.
   */
  startGatewayReplica(): Promise<RunningGateway>;
}

/**
 * Boots the whole system in dependency order: database (embedded unless
 * DATABASE_URL), sandbox CRM, seed, first MDM load, the four subgraphs (the
 * quality one runs the reconciliation once), the
 * schema registry (unless `registry` is off) with the subgraphs published to
 * it, the gateway (following the registry, or composing at start). Everything listens on its own port; parts talk over HTTP and the
 * Postgres wire protocol exactly as they do when deployed separately.
 * On failure, whatever started is stopped again before the error propagates.
 */
export async function startStack(options: StackOptions): Promise<RunningStack> {
  const log = options.log ?? (() => {});
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    stops.length = 0;
  };
  try {
    let databaseUrl = options.databaseUrl;
    let embeddedDatabase = false;
    if (!databaseUrl) {
      const started = Date.now();
      const embedded: EmbeddedPostgres = await startEmbeddedPostgres({ host: '127.0.0.1', port: options.ports.pglite, dataDir: options.dataDir });
      stops.push(() => embedded.stop());
      databaseUrl = embedded.connectionString;
      embeddedDatabase = true;
      log(`embedded PostgreSQL (PGlite) at ${databaseUrl} in ${Date.now() - started} ms`);
    }
    const pool = createPool({ connectionString: databaseUrl, applicationName: 'concord-stack' });
    stops.push(() => pool.end());

    const crmSandbox = await startCrmSandbox({ databaseUrl, host: options.host, port: options.ports.crmSandbox, tokens: [options.crmToken] });
    let crmSandboxStopped = false;
    stops.push(async () => {
      if (!crmSandboxStopped) await crmSandbox.close();
    });
    log(`CRM stand-in (HubSpot API) at ${crmSandbox.url}`);

    // A persistent database (CONCORD_DATA_DIR or DATABASE_URL) keeps its sandbox data across starts.
    if (!(await isSeeded(pool))) {
      const summary = await seedSandbox(pool, { seed: options.seed.seed, companies: options.seed.companies });
      log(`seeded ${summary.companies} companies and ${summary.products} products (seed ${summary.seed}) in ${summary.durationMs} ms`);
    } else {
      log('sandbox already seeded; keeping its data');
    }

    const loadStarted = Date.now();
    const load = await runInitialLoad(pool, { crmBaseUrl: crmSandbox.url, crmToken: options.crmToken });
    log(
      `MDM load in ${Date.now() - loadStarted} ms: ${load.customers.records} customer records → ${load.customers.clusters} golden customers, ` +
        `${load.products.records} product records → ${load.products.clusters} golden products (${load.customers.queued + load.products.queued} pairs queued for review)`,
    );
    const graphiql = await graphiqlSettings(pool);
    // One in-process feed of golden-record changes: the pipeline publishes, the gateway's entity cache follows.
    const goldenChanges = options.goldenChanges ?? createInProcessGoldenChangeFeed();

    // Live changes start after the load: a capture with no stored position starts at the newest row the load read.
    let pipeline: RunningPipeline | undefined;
    if (options.liveChanges) {
      // The stack is the HubSpot app: it subscribes to the CRM stand-in's company webhooks with a client secret of its own.
      const clientSecret = options.events.crm.webhookSecret ?? randomBytes(24).toString('base64url');
      const crm = { ...options.events.crm, baseUrl: crmSandbox.url, token: options.crmToken, webhookSecret: clientSecret, webhookPort: options.ports.crmWebhooks, webhookHost: options.host };
      const running = await startEventPipeline({ pool, erpConnectionString: databaseUrl, config: { ...options.events, crm }, goldenFeed: goldenChanges, log });
      stops.push(() => running.stop());
      pipeline = running;
      if (running.webhooks) {
        crmSandbox.configureWebhooks({ targetUrl: running.webhooks.url, clientSecret });
        stops.push(async () => crmSandbox.configureWebhooks(undefined));
      }
    }

    // One proof key for the gateway and every subgraph: from the environment, or generated for this run.
    const proofSettings = options.gateway.security.gatewayProof;
    const hasProofSettings = isGatewayProofKey(proofSettings) || Boolean(proofSettings.secret ?? proofSettings.publicKeyPem ?? proofSettings.privateKeyPem);
    // Generated as text (not raw bytes) so a team can run its own subgraph beside this stack with
    // CONCORD_GATEWAY_PROOF_SECRET: it is written to the operator's tokens file below.
    const generatedProofSecret = hasProofSettings ? undefined : randomBytes(32).toString('base64url');
    const gatewayProofKey = await resolveGatewayProofKey(generatedProofSecret ? { secret: generatedProofSecret } : proofSettings, 'signer');
    const common = { host: options.host, production: options.production, onSourceRequest: options.onSourceRequest, gatewayProof: gatewayProofKey };
    // PGlite serves every connection from one session: a per-request SET statement_timeout would reach the
    // MDM engine's statements too, so on the embedded database only the client-side timeouts apply.
    const database = { ...DEFAULT_DATABASE_TIMEOUTS, statementTimeouts: !embeddedDatabase };
    const erp = await startErpSubgraph({ ...common, database, port: options.ports.erp, databaseUrl, schema: 'erp', tracing: options.tracing.erp });
    stops.push(() => erp.close());
    const crm = await startCrmSubgraph({ ...common, port: options.ports.crm, baseUrl: crmSandbox.url, token: options.crmToken, tracing: options.tracing.crm });
    stops.push(() => crm.close());
    const mdm = await startMdmSubgraph({ ...common, database, port: options.ports.mdm, databaseUrl, tracing: options.tracing.mdm });
    stops.push(() => mdm.close());
    // The reconciliation runs once before the gateway opens, so the console has findings at once.
    const quality = await startQualitySubgraph({
      ...common, port: options.ports.quality, databaseUrl, erpDatabaseUrl: databaseUrl, crmBaseUrl: crmSandbox.url, crmToken: options.crmToken,
      reconcile: options.reconcile, tracing: options.tracing.quality, runAtStart: true, log,
    });
    stops.push(() => quality.close());
    log(`subgraphs: erp ${erp.url}, crm ${crm.url}, mdm ${mdm.url}, quality ${quality.url}`);

    const subgraphs = [
      { name: 'erp', url: erp.url },
      { name: 'crm', url: crm.url },
      { name: 'mdm', url: mdm.url },
      { name: 'quality', url: quality.url },
    ];

    // The registry (ADR 0005): the stack publishes its own subgraphs, then the
    // gateway follows the registry's current supergraph and reports usage to it.
    let registry: Omit<StackRegistry, 'startGatewayReplica'> | undefined;
    let reporter: UsageReporter | undefined;
    if (options.registry) {
      const settings = options.registrySettings;
      const { tokens, grants, generated } = resolveStackRegistryTokens(settings.tokens);
      const running = await startRegistry({
        databaseUrl, host: options.host, port: options.ports.registry, bootstrapTokens: grants, usageRetentionDays: settings.usageRetentionDays,
      });
      stops.push(() => running.close());
      await revokeEarlierGeneratedTokens(running.store, generated);
      if (settings.tokensFile) await writeRegistryTokensFile(settings.tokensFile, { registryUrl: running.url, tokens, gatewayProofSecret: generatedProofSecret });
      // MDM first: ERP and CRM extend its entities and compose only beside it.
      const order = ['mdm', 'erp', 'crm', 'quality'].map((name) => subgraphs.find((s) => s.name === name)!);
      const published = await publishStackSubgraphs({ registryUrl: running.url, tokens, subgraphs: order, proofKey: gatewayProofKey, log });
      log(`schema registry at ${running.url}${settings.tokensFile ? ` (tokens in ${settings.tokensFile})` : ''}`);
      const usage = createUsageReporter({
        registryUrl: running.url, token: tokens.gateway, flushIntervalMs: settings.usageFlushMs,
        onError: (error) => log(`usage report: ${error.message}`),
      });
      reporter = usage;
      // Stopped before the registry closes (stops run in reverse), so the last usage is sent.
      stops.push(() => usage.stop());
      registry = { url: running.url, tokens, tokensFile: settings.tokensFile, published, running, flushUsage: () => usage.flush() };
    }

    let gateways = 0;
    const gatewayConfig = (port: number): GatewayConfig => ({
      host: options.host,
      port,
      production: options.production,
      subgraphs,
      supergraphSource: registry
        ? registrySupergraphSource({
          registryUrl: registry.url,
          token: registry.tokens.gateway,
          longPollMs: options.registrySettings.longPollMs,
          pollIntervalMs: options.registrySettings.pollIntervalMs,
          onError: (error) => log(`supergraph source: ${error.message}`),
        })
        : undefined,
      plugins: reporter ? [usageReportingPlugin(reporter)] : [],
      security: { ...options.gateway.security, gatewayProof: gatewayProofKey },
      databaseUrl: options.gateway.auditDatabaseUrl ?? databaseUrl,
      // One spool folder per gateway: a spool is one process's append-only file (gateway/audit/auditSpool.ts).
      auditSpoolDir: options.gateway.auditSpoolDir && path.join(options.gateway.auditSpoolDir, `gateway-${gateways++}`),
      auditBudget: options.gateway.auditBudget,
      resilience: options.gateway.resilience,
      logLevel: options.gateway.logLevel,
      maxBodyBytes: options.gateway.maxBodyBytes,
      batching: options.gateway.batching,
      maxBatchSize: options.gateway.maxBatchSize,
      introspection: options.gateway.introspection,
      entityCache: options.gateway.entityCache,
      persistedQueries: options.gateway.persistedQueries,
      tracing: options.tracing.gateway,
    });
    const built = await buildConsole();
    const consoleBundle = { js: built.js, css: built.css };
    log(`console bundled in ${built.durationMs} ms (${Math.round(built.js.length / 1024)} KiB)`);
    // The live-change pipeline is part of readiness (docs/adr/0017): golden records that stopped following their sources are not ready.
    const readinessChecks = pipeline ? { liveChanges: () => pipeline!.health() } : undefined;
    const gateway = await startGateway(gatewayConfig(options.ports.gateway), { graphiql, changeFeed: goldenChanges, console: consoleBundle, readinessChecks });
    stops.push(() => gateway.close());
    // Each gateway follows the trusted-document manifests published to the registry (ADR 0014).
    const followDocuments = (running: RunningGateway) => {
      if (!registry) return;
      const following = followRegistryTrustedDocuments({
        registryUrl: registry.url, token: registry.tokens.gateway, trusted: running.trustedDocuments,
        pollIntervalMs: options.registrySettings.pollIntervalMs, onError: (error) => log(`trusted documents: ${error.message}`),
      });
      stops.push(async () => following.stop());
    };
    followDocuments(gateway);

    return {
      gatewayUrl: gateway.url,
      databaseUrl,
      gatewayProofKey,
      urls: { erp: erp.url, crm: crm.url, mdm: mdm.url, quality: quality.url, crmSandbox: crmSandbox.url },
      pool,
      pipeline,
      crmSandbox,
      goldenChanges,
      registry: registry && {
        ...registry,
        async startGatewayReplica() {
          const replica = await startGateway(gatewayConfig(0), { graphiql, changeFeed: goldenChanges, console: consoleBundle, readinessChecks });
          stops.push(() => replica.close());
          followDocuments(replica);
          return replica;
        },
      },
      async flushTraces() {
        await Promise.all([gateway, erp, crm, mdm, quality].map((service) => service.flushTraces()));
      },
      async stopCrmSandbox() {
        crmSandboxStopped = true;
        await crmSandbox.close();
      },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * GraphiQL opens on the customer 360 query of the seed's showcase company
 * (ground truth company-00001, "Globex"), when this database has the seed's
 * truth tables and the MDM load made exactly one golden customer of it.
 */
async function graphiqlSettings(pool: pg.Pool): Promise<GraphiQLPageOptions> {
  const present = await pool.query(`SELECT to_regclass('truth.entity') IS NOT NULL AS present`);
  if (!present.rows[0].present) return {};
  const result = await pool.query<{ master_id: string }>(
    `SELECT DISTINCT x.master_id FROM mdm.xref x
       JOIN truth.entity t ON t.entity_type = 'customer' AND t.system = x.system AND t.source_id = x.source_id
      WHERE x.entity_type = 'customer' AND t.truth_id = 'company-00001'`,
  );
  return result.rowCount === 1 ? { defaultVariables: { id: result.rows[0].master_id } } : {};
}

async function isSeeded(pool: pg.Pool): Promise<boolean> {
  const result = await pool.query(`SELECT to_regclass('erp.res_partner') IS NOT NULL AS present`);
  if (!result.rows[0].present) return false;
  const rows = await pool.query('SELECT EXISTS (SELECT 1 FROM erp.res_partner) AS seeded');
  return rows.rows[0].seeded === true;
}
