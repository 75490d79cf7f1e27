import { ConfigError, createPool, startSubgraphServer, type RunningSubgraph, type SourceRequestListener } from '../kit/index.js';
import type { ErpSubgraphConfig } from './config.js';
import { createErpDatabase } from './erpDatabase.js';
import { buildErpSchema, createErpContext } from './schema.js';

/** {@link ErpSubgraphConfig}, with the pool size and production flag optional (defaults as in the config). */
export interface ErpSubgraphOptions extends Omit<ErpSubgraphConfig, 'poolSize' | 'production'> {
  /** @default 10 */
  poolSize?: number;
  /** @default false */
  production?: boolean;
  /** Told of every SQL statement sent to the ERP (tests count them). */
  onSourceRequest?: SourceRequestListener;
}

/**
 * Starts the ERP subgraph: its own pg pool on the ERP database (closed with
 * the server), the schema, and GET /health answering `select 1`.
 */
export async function startErpSubgraph(options: ErpSubgraphOptions): Promise<RunningSubgraph> {
  if (!options.databaseUrl) {
    throw new ConfigError('ERP_DATABASE_URL', 'the ERP database URL (or DATABASE_URL)', options.databaseUrl);
  }
  const pool = createPool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    applicationName: 'concord-erp-subgraph',
  });
  const db = createErpDatabase(pool, options.schema);
  try {
    return await startSubgraphServer({
      name: 'erp',
      schema: buildErpSchema(),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      createContext: () => createErpContext({ db, onSourceRequest: options.onSourceRequest }),
      checkHealth: () => db.ping(),
      onClose: () => pool.end(),
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
}
