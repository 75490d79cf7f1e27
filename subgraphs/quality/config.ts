import { readInt, readString, readBool, readTracingConfig, readUrl, type TracingConfig } from '../../platform/index.js';
import { readGatewayProofSettings, type GatewayProofSettings } from '../../platform/auth/gatewayProof.js';
import { readReconcileConfig, type ReconcileConfig } from '../../reconcile/index.js';

type Env = Record<string, string | undefined>;

/** The quality subgraph's options, read once at start. */
export interface QualitySubgraphConfig {
  /** QUALITY_SUBGRAPH_PORT. 0 = a free port (tests). @default 4004 */
  port: number;
  /** HOST. @default '127.0.0.1' */
  host: string;
  /** MDM_DATABASE_URL, else DATABASE_URL: the MDM store, where the recon schema lives too. */
  databaseUrl?: string;
  /** ERP_DATABASE_URL, else DATABASE_URL: the Odoo tables. */
  erpDatabaseUrl?: string;
  /** CRM_BASE_URL: the HubSpot API root. */
  crmBaseUrl?: string;
  /** CRM_TOKEN: the private-app token. */
  crmToken?: string;
  /** QUALITY_POOL_SIZE. @default 5 */
  poolSize: number;
  /** CONCORD_PRODUCTION (default: NODE_ENV=production). */
  production: boolean;
  gatewayProof: GatewayProofSettings;
  /** RECON_* (reconcile/config.ts): rules, schedule, comment limit. */
  reconcile: ReconcileConfig;
  tracing: TracingConfig;
}

export function loadQualitySubgraphConfig(env: Env): QualitySubgraphConfig {
  return {
    port: readInt(env, 'QUALITY_SUBGRAPH_PORT', 4004, { max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    databaseUrl: readUrl(env, 'MDM_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    erpDatabaseUrl: readUrl(env, 'ERP_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    crmBaseUrl: readUrl(env, 'CRM_BASE_URL'),
    crmToken: env.CRM_TOKEN,
    poolSize: readInt(env, 'QUALITY_POOL_SIZE', 5, { min: 1, max: 1000 }),
    production: readBool(env, 'CONCORD_PRODUCTION', env.NODE_ENV === 'production'),
    gatewayProof: readGatewayProofSettings(env),
    reconcile: readReconcileConfig(env as NodeJS.ProcessEnv),
    tracing: readTracingConfig(env, 'concord-subgraph-quality'),
  };
}
