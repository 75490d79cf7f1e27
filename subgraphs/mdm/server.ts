import { ConfigError, createPool, startSubgraphServer, type RunningSubgraph, type SourceRequestListener } from '../kit/index.js';
import type { MdmSubgraphConfig } from './config.js';
import { createMdmStore } from './mdmStore.js';
import { buildMdmSchema, createMdmContext } from './schema.js';

/** {@link MdmSubgraphConfig}, with the pool size and production flag optional (defaults as in the config). */
export interface MdmSubgraphOptions extends Omit<MdmSubgraphConfig, 'poolSize' | 'production'> {
  /** @default 10 */
  poolSize?: number;
  /** @default false */
  production?: boolean;
  /** Told of every statement sent to the MDM store (tests count them). */
  onSourceRequest?: SourceRequestListener;
}

/**
 * Starts the MDM subgraph (read side): its own pg pool on the MDM store
 * (closed with the server), the schema, and GET /health answering `select 1`.
 */
export async function startMdmSubgraph(options: MdmSubgraphOptions): Promise<RunningSubgraph> {
  if (!options.databaseUrl) {
    throw new ConfigError('MDM_DATABASE_URL', 'the MDM store URL (or DATABASE_URL)', options.databaseUrl);
  }
  const pool = createPool({
    connectionString: options.databaseUrl,
    max: options.poolSize ?? 10,
    applicationName: 'concord-mdm-subgraph',
  });
  const store = createMdmStore(pool);
  try {
    return await startSubgraphServer({
      name: 'mdm',
      schema: buildMdmSchema(),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      createContext: () => createMdmContext({ store, onSourceRequest: options.onSourceRequest }),
      checkHealth: () => store.ping(),
      onClose: () => pool.end(),
    });
  } catch (error) {
    await pool.end();
    throw error;
  }
}
