import { readBool, readInt, readString } from '../../platform/config.js';

/**
 * Persisted queries and trusted documents (ADR 0014).
 *
 * | variable | default |
 * | --- | --- |
 * | APQ_ENABLED | true: Apollo's automatic persisted queries |
 * | APQ_MAX_MB | 8: document text kept per replica |
 * | TRUSTED_DOCUMENTS_CLIENTS | empty: the clients (by token `azp`/`client_id`, else `apollographql-client-name`) that run only their published documents |
 * | TRUSTED_DOCUMENTS_DIR | unset: manifests `<client>.json` read from this folder; with a registry the gateway follows its published manifests |
 */
export interface PersistedQueriesConfig {
  apq: boolean;
  apqMaxBytes?: number;
  trustedClients: string[];
  trustedDocumentsDir?: string;
}

export function readPersistedQueriesConfig(env: Record<string, string | undefined>): PersistedQueriesConfig {
  return {
    apq: readBool(env, 'APQ_ENABLED', true),
    apqMaxBytes: readInt(env, 'APQ_MAX_MB', 8, { min: 1, max: 1024 }) * 1024 * 1024,
    trustedClients: (readString(env, 'TRUSTED_DOCUMENTS_CLIENTS') ?? '').split(',').map((c) => c.trim()).filter(Boolean),
    trustedDocumentsDir: readString(env, 'TRUSTED_DOCUMENTS_DIR'),
  };
}
