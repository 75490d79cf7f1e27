import { ConfigError, readInt, readString, readUrl } from '../../platform/config.js';
import type { TokenGrant, TokenScope } from './store/index.js';

export interface RegistryEnvConfig {
  /** REGISTRY_DATABASE_URL, else DATABASE_URL; unset: main.ts starts the embedded PGlite. */
  databaseUrl?: string;
  /** REGISTRY_PORT. @default 4020 */
  port: number;
  /** HOST. @default '127.0.0.1' */
  host: string;
  /** REGISTRY_TOKENS: comma-separated `scope:team:token` (team empty for read/gateway/admin). */
  bootstrapTokens: TokenGrant[];
  /** REGISTRY_USAGE_RETENTION_DAYS: how long operation usage is kept, and the window checks look at. @default 30 */
  usageRetentionDays: number;
}

const scopes: readonly TokenScope[] = ['read', 'gateway', 'publish', 'admin'];

/** Reads the registry's configuration from the environment, failing on the first bad key. */
export function loadRegistryConfig(env: Record<string, string | undefined> = process.env): RegistryEnvConfig {
  return {
    databaseUrl: readUrl(env, 'REGISTRY_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    port: readInt(env, 'REGISTRY_PORT', 4020, { min: 0, max: 65535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    bootstrapTokens: parseTokenList(readString(env, 'REGISTRY_TOKENS', '')),
    // 30 days: long enough to see monthly batch clients, the window Hive and
    // GraphOS default to for operation checks.
    usageRetentionDays: readInt(env, 'REGISTRY_USAGE_RETENTION_DAYS', 30, { min: 1, max: 3650 }),
  };
}

/** Parses `scope:team:token,…`; the token is everything after the second colon. */
export function parseTokenList(raw: string): TokenGrant[] {
  if (!raw.trim()) return [];
  return raw.split(',').map((entry) => {
    const [scope, team, ...rest] = entry.trim().split(':');
    const token = rest.join(':');
    if (!(scopes as readonly string[]).includes(scope) || !token || (scope === 'publish' && !team)) {
      throw new ConfigError('REGISTRY_TOKENS', `entries "scope:team:token" with scope one of ${scopes.join(', ')} (team required for publish)`, entry.replace(/:[^:]*$/, ':…'));
    }
    return { scope: scope as TokenScope, team: team || undefined, token, label: team ? `${team} ${scope}` : scope };
  });
}
