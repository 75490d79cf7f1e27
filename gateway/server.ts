import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApolloGateway } from '@apollo/gateway';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type pg from 'pg';
import { createPool } from '../platform/db/pool.js';
import { createSourceGuard } from '../platform/resilience/index.js';
import { isDatabaseOutage } from '../platform/db/outage.js';
import { createLogger } from '../platform/logging/index.js';
import { createReadinessCheck, type ReadinessComponentCheck } from './resilience/readiness.js';
import type { AuthorizationRules } from '../platform/auth/requirements.js';
import type { AuditSink } from './audit/auditSink.js';
import { createGatewaySecurity, type GatewaySecurity } from './security/createSecurity.js';
import { resolveGatewayConfig, type GatewayConfig } from './config.js';
import { SubgraphClient } from './upstream/dataSource.js';
import type { GraphiQLPageOptions } from './graphiql/page.js';
import { createHttpHandler } from './http/handler.js';
import { GatewayMetrics } from './observability/metrics.js';
import { SupergraphManager, type SupergraphStatus } from './supergraph/manager.js';
import { startGatewayTracing } from './observability/tracing.js';
import { consoleRoutes, type ConsoleBundle } from './console/routes.js';
import type { GoldenChangeFeed } from '../platform/events/changeEvents.js';
import { EntityCache } from './entityCache/entityCache.js';
import { MemoryEntityCacheStore } from './entityCache/entityCacheStore.js';
import { RedisEntityCacheStore } from './entityCache/redisEntityCacheStore.js';
import type { EntityCacheConfig } from './entityCache/entityCacheConfig.js';
import { DEFAULT_ENTITY_CACHE_POLICY } from './entityCache/cachePolicy.js';
import { MemoryPersistedQueryStore } from './persisted/persistedQueryStore.js';
import { TrustedDocuments } from './persisted/trustedDocuments.js';
import { readManifestFolder } from './persisted/manifestSource.js';
import { composedSupergraphSource, fileSupergraphSource, type SupergraphSource } from './supergraph/source.js';
import { installResultShaping } from './execution/resultShaping.js';
import { installOperationCache } from './execution/operationCache.js';

export interface RunningGateway {
  /** The GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql. */
  url: string;
  /** Stop accepting, let in-flight requests finish, stop the gateway, close subgraph pools. */
  close(): Promise<void>;
  gateway: ApolloGateway;
  /** The supergraph serving now and the last refused update (also in /health). */
  supergraph(): SupergraphStatus;
  metrics: GatewayMetrics;
  /** Where PII/finance reads are recorded (undefined without `security`). */
  audit?: AuditSink;
  /** Export the spans ended so far now (no-op when tracing is off); close() flushes too. */
  flushTraces(): Promise<void>;
  /** The entity cache (undefined when off). */
  entityCache?: EntityCache;
  /** Published trusted-document manifests by client; `replace` swaps one in (the registry follower does). */
  trustedDocuments: TrustedDocuments;
}

export interface StartGatewayOptions {
  /** GraphiQL page settings (e.g. the stack's customer 360 query as the default), or false to serve none. */
  graphiql?: GraphiQLPageOptions | false;
  /**
   * Golden-record change events (the stack's in-process feed, or a NATS
   * subscription to concord.golden.>): they keep the entity cache fresh, and
   * their presence turns the cache on when its config says `auto`.
   */
  changeFeed?: GoldenChangeFeed;
  /** The console's built bundle (console/build.ts), served at /console; none when absent. */
  console?: ConsoleBundle;
  /**
   * More parts of GET /ready beside the supergraph and the subgraphs, by
   * name: the stack adds its live-change pipeline (`liveChanges`), so golden
   * records that stopped following their sources show as not ready.
   */
  readinessChecks?: Readonly<Record<string, ReadinessComponentCheck>>;
}

/** The entity cache the config asks for, or undefined; `auto` means on only when change events arrive. */
async function createEntityCache(config: EntityCacheConfig, feed: GoldenChangeFeed | undefined, registry: GatewayMetrics["registry"], logger: Logger): Promise<EntityCache | undefined> {
  const store = config.store === 'auto' ? (feed ? 'memory' : 'off') : config.store;
  if (store === 'off') return undefined;
  const policy = config.policy ?? DEFAULT_ENTITY_CACHE_POLICY;
  if (store === 'redis') {
    const redis = new RedisEntityCacheStore(config.redisUrl ?? 'redis://127.0.0.1:6379');
    await redis.connect();
    return new EntityCache(policy, redis, { registry, logger });
  }
  if (!feed) logger.warn({ ttlSec: policy.ttlSec }, 'entity cache on without change events: golden records may be stale for up to the TTL');
  return new EntityCache(policy, new MemoryEntityCacheStore(config.maxBytes), { registry, logger });
}

function sourceFor(config: ReturnType<typeof resolveGatewayConfig>, client: SubgraphClient): SupergraphSource {
  if (config.supergraphSource) return config.supergraphSource;
  if (config.supergraphPath) return fileSupergraphSource(config.supergraphPath, { watch: config.watchSupergraphFile });
  return composedSupergraphSource(config.subgraphs, {
    retryForMs: config.compositionRetryMs,
    // Schema fetches carry the same plugin headers (e.g. the gateway's proof token) as operations.
    prepareHeaders: (subgraphName, headers) =>
      client.prepare({ subgraphName, kind: 'schema', request: { headers, query: '{ _service { sdl } }' }, context: undefined }),
  });
}

/**
 * Start the federated gateway: load the supergraph (compose the subgraphs,
 * read a file, or take a SupergraphSource), then serve HTTP. Fails — with the
 * composition errors listed — before listening if no valid supergraph loads.
 */
export async function startGateway(input: GatewayConfig, options: StartGatewayOptions = {}): Promise<RunningGateway> {
  const config = resolveGatewayConfig(input);
  // @apollo/gateway otherwise exports usage metrics to Apollo's servers from every
  // instance; Concord sends nothing anywhere unless the operator opts in by setting it.
  process.env.APOLLO_TELEMETRY_DISABLED ??= 'true';
  const logger = config.logger ?? createLogger({ name: 'gateway', level: config.logLevel });
  const metrics = new GatewayMetrics();
  // Rules are read from the same supergraph as the schema and looked up by it, so both swap together.
  const rulesBySchema = new WeakMap<GraphQLSchema, AuthorizationRules>();
  const rulesOf = (apiSchema: GraphQLSchema): AuthorizationRules => {
    const rules = rulesBySchema.get(apiSchema);
    if (!rules) throw new Error('no authorization rules for this API schema');
    return rules;
  };
  let pool: pg.Pool | undefined;
  let security: GatewaySecurity | undefined;
  const tracing = startGatewayTracing(config.tracing, logger);
  const release = async () => {
    await security?.close();
    await pool?.end();
    await tracing?.shutdown();
  };
  if (config.security) {
    if (config.databaseUrl) {
      // The audit database must fail fast: an answer waits for its record, and goes to the spool instead
      // when the database does not take it within AUDIT_DB_TIMEOUT_MS (less when the request's deadline is
      // nearer: the log cuts each attempt to it) or its breaker is open.
      pool = createPool({
        connectionString: config.databaseUrl, max: 4, applicationName: 'concord-gateway-audit',
        connectionTimeoutMs: config.auditBudget.databaseTimeoutMs, queryTimeoutMs: config.auditBudget.databaseTimeoutMs, statementTimeouts: false,
        guard: createSourceGuard({ source: 'audit', consecutiveFailures: 3, halfOpenAfterMs: 2_000, maxConcurrent: 8, maxQueued: 64, isOutage: isDatabaseOutage, metrics: metrics.resilience, logger }),
      });
    }
    try {
      security = await createGatewaySecurity({
        config: config.security, production: config.production, logger, pool, rulesOf, auditSpoolDir: config.auditSpoolDir, auditBudget: config.auditBudget,
        onAudit: (stored) => metrics.countAuditRecord(stored),
      });
    } catch (error) {
      await release();
      throw error;
    }
    const audit = security.audit;
    metrics.watchAuditSpool(() => audit.spoolBacklog());
  } else {
    logger.warn('gateway started without security: no authentication, authorization, limits or gateway proof');
  }
  const plugins = [...(security?.plugins ?? []), ...config.plugins];
  let entityCache: EntityCache | undefined;
  const trustedDocuments = new TrustedDocuments(config.persistedQueries.trustedClients);
  try {
    entityCache = await createEntityCache(config.entityCache, options.changeFeed, metrics.registry, logger);
    if (config.persistedQueries.trustedDocumentsDir) {
      for (const [client, manifest] of await readManifestFolder(config.persistedQueries.trustedDocumentsDir)) trustedDocuments.replace(client, manifest);
    }
  } catch (error) {
    await entityCache?.close();
    await release();
    throw error;
  }
  const stopFollowing = entityCache && options.changeFeed ? entityCache.follow(options.changeFeed) : undefined;
  const releaseCache = async () => {
    stopFollowing?.();
    await entityCache?.close();
    await release();
  };
  const client = new SubgraphClient({
    timeoutMs: config.subgraphTimeoutMs,
    connections: config.subgraphConnections,
    dedupe: config.dedupeSubgraphRequests,
    entityBatching: { maxInFlight: config.entityBatchInFlight, maxRepresentations: config.entityBatchMaxRepresentations, maxWaitMs: config.entityBatchMaxWaitMs, lingerMs: config.entityBatchLingerMs },
    production: config.production,
    plugins,
    metrics,
    propagateTraceContext: Boolean(tracing),
    entityCache,
    guards: {
      maxConcurrent: config.resilience.subgraphMaxConcurrent,
      maxQueued: config.resilience.subgraphMaxQueued,
      breakerFailures: config.resilience.breakerFailures,
      breakerHalfOpenMs: config.resilience.breakerHalfOpenMs,
      metrics: metrics.resilience,
      logger,
    },
  });
  const manager = new SupergraphManager(sourceFor(config, client), logger, { enforcesRules: Boolean(security) });
  installOperationCache();
  if (!installResultShaping()) logger.warn('@apollo/gateway is not the version gateway/execution/resultShaping.ts mirrors: its own (slower) result shaping runs');
  const gateway = new ApolloGateway({
    supergraphSdl: manager.hook,
    buildService: (definition) => client.dataSource(definition),
    logger,
    // Always validate the first supergraph (the gateway skips it when NODE_ENV=production).
    validateSupergraph: true,
    // The experimental query-plan header would need a Headers object per request; plans are logged at debug instead.
    __exposeQueryPlanExperimental: false,
    // Apollo's spans carry operation name and type; the document (literals) and exception
    // messages (which may quote data) stay out. Both are off by default; said here so it stays so.
    telemetry: { includeDocument: false, recordExceptions: false },
  });
  let schema: GraphQLSchema | undefined;
  gateway.onSchemaLoadOrUpdate(({ apiSchema, coreSupergraphSdl }) => {
    rulesBySchema.set(apiSchema, manager.rulesFor(coreSupergraphSdl));
    schema = apiSchema;
  });

  let executor;
  try {
    ({ executor } = await gateway.load());
  } catch (error) {
    await client.close();
    await releaseCache();
    throw error;
  }
  if (!executor || !schema) throw new Error('the gateway loaded without an executor or schema');

  const handler = createHttpHandler({
    executor,
    schema: () => schema!,
    supergraph: () => manager.status,
    metrics,
    plugins,
    logger,
    production: config.production,
    introspection: config.introspection,
    maxBodyBytes: config.maxBodyBytes,
    batching: config.batching,
    maxBatchSize: config.maxBatchSize,
    graphiql: options.graphiql,
    routes: options.console ? { ...consoleRoutes(options.console), ...security?.routes } : security?.routes,
    tracer: tracing?.tracer,
    requestTimeoutMs: config.resilience.requestTimeoutMs,
    maxInFlight: config.resilience.maxInFlight,
    readiness: createReadinessCheck({
      supergraphLoaded: () => manager.status !== undefined,
      subgraphs: () => client.endpoints(),
      timeoutMs: config.resilience.readyTimeoutMs,
      cacheMs: config.resilience.readyCacheMs,
      components: options.readinessChecks,
    }),
    persistedDocuments: {
      apq: config.persistedQueries.apq ? new MemoryPersistedQueryStore(config.persistedQueries.apqMaxBytes) : false,
      trusted: trustedDocuments,
    },
  });
  const server = createServer(handler);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await gateway.stop();
    await client.close();
    await releaseCache();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}/graphql`;
  logger.info({ url, supergraphId: manager.status?.id }, 'gateway listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    gateway,
    metrics,
    audit: security?.audit,
    supergraph: () => manager.status!,
    flushTraces: async () => tracing?.forceFlush(),
    entityCache,
    trustedDocuments,
    close() {
      closing ??= (async () => {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        // Keep-alive sockets with no request in flight would hold close() open until they time out.
        server.closeIdleConnections();
        await stopped;
        await gateway.stop();
        await client.close();
        await releaseCache();
      })();
      return closing;
    },
  };
}
