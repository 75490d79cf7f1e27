import type { CheckReport } from '../checks/checkSubgraph.js';
import { RegistryError, REGISTRY_ERRORS, type RegistryErrorCode } from '../registry/errors.js';
import type { PublishResult, RollbackResult } from '../registry/publish.js';
import type { IssueTokenInput, IssuedToken } from '../registry/tokens.js';
import type { TrustedDocumentManifest } from '../../platform/persisted/trustedDocumentManifest.js';
import type { AuditEntry, TrustedDocumentsSummary, TokenSummary, OperationReport, SubgraphSummary, SubgraphVersion, SupergraphVersion } from '../registry/store/index.js';

export interface RegistryClientOptions {
  registryUrl: string;
  token: string;
  /** Per-request timeout. @default 30000 (a check composes the whole graph; long-polls pass their own). */
  timeoutMs?: number;
}

/**
 * The registry's HTTP API for the CLI, the gateway's supergraph source and
 * the usage reporter. Errors come back as RegistryError with the server's
 * code; a connection failure is REGISTRY_UNAVAILABLE.
 */
export class RegistryClient {
  private readonly base: string;
  constructor(private readonly options: RegistryClientOptions) {
    this.base = options.registryUrl.replace(/\/+$/, '');
  }

  check(input: { subgraph: string; sdl: string; routingUrl?: string; acceptSecurityChanges?: boolean }): Promise<CheckReport> {
    return this.json('POST', '/v1/check', input);
  }

  /** Resolves with the result whether published or refused (422 carries a report, not an error). */
  publish(input: { subgraph: string; sdl: string; routingUrl?: string; commit?: string; ownerTeam?: string; acceptSecurityChanges?: boolean }): Promise<PublishResult> {
    return this.json('POST', '/v1/publish', input, [422]);
  }

  rollback(toVersion: number): Promise<RollbackResult> {
    return this.json('POST', '/v1/rollback', { toVersion });
  }

  async listSubgraphs(): Promise<SubgraphSummary[]> {
    return (await this.json<{ subgraphs: SubgraphSummary[] }>('GET', '/v1/subgraphs')).subgraphs;
  }

  async subgraphHistory(name: string, limit = 50): Promise<SubgraphVersion[]> {
    return (await this.json<{ versions: SubgraphVersion[] }>('GET', `/v1/subgraphs/${encodeURIComponent(name)}/versions?limit=${limit}`)).versions;
  }

  async supergraphHistory(limit = 50): Promise<SupergraphVersion[]> {
    return (await this.json<{ versions: SupergraphVersion[] }>('GET', `/v1/supergraphs?limit=${limit}`)).versions;
  }

  async auditLog(limit = 100): Promise<AuditEntry[]> {
    return (await this.json<{ entries: AuditEntry[] }>('GET', `/v1/audit?limit=${limit}`)).entries;
  }

  /** Admin only. The returned `token` is the secret, shown this once. */
  issueToken(input: IssueTokenInput): Promise<IssuedToken> {
    return this.json('POST', '/v1/tokens', input);
  }

  /** Admin only. Never carries the secrets. */
  async listTokens(): Promise<TokenSummary[]> {
    return (await this.json<{ tokens: TokenSummary[] }>('GET', '/v1/tokens')).tokens;
  }

  /** Admin only. The token gets 401 from its next request on. */
  revokeToken(id: number): Promise<TokenSummary & { alreadyRevoked: boolean }> {
    return this.json('DELETE', `/v1/tokens/${id}`);
  }

  /** Replaces the client's trusted-document manifest (publish or admin token). */
  publishTrustedDocuments(client: string, manifest: unknown): Promise<TrustedDocumentsSummary> {
    return this.json('PUT', `/v1/trusted-documents/${encodeURIComponent(client)}`, manifest);
  }

  async listTrustedDocuments(): Promise<Array<TrustedDocumentsSummary & { manifest: TrustedDocumentManifest }>> {
    return (await this.json<{ clients: Array<TrustedDocumentsSummary & { manifest: TrustedDocumentManifest }> }>('GET', '/v1/trusted-documents')).clients;
  }

  reportUsage(operations: OperationReport[]): Promise<{ accepted: number }> {
    return this.json('POST', '/v1/usage', { operations });
  }

  /**
   * Fetches the current supergraph; with `etag` the registry answers 304
   * (`notModified`) when nothing changed, and with `waitMs` it holds the
   * request until a change or the wait ends (long-poll).
   */
  async fetchSupergraph(options: { etag?: string; waitMs?: number; signal?: AbortSignal } = {}): Promise<
    { notModified: true; etag?: string; version?: number } | { notModified: false; sdl: string; etag?: string; version?: number }
  > {
    const query = options.waitMs ? `?wait=${options.waitMs}` : '';
    const headers: Record<string, string> = {};
    if (options.etag) headers['if-none-match'] = options.etag;
    const timeoutMs = (options.waitMs ?? 0) + (this.options.timeoutMs ?? 30_000);
    const res = await this.send('GET', `/supergraph${query}`, undefined, headers, timeoutMs, options.signal);
    const etag = res.headers.get('etag') ?? undefined;
    const versionHeader = res.headers.get('x-supergraph-version');
    const version = versionHeader ? Number(versionHeader) : undefined;
    if (res.status === 304) return { notModified: true, etag, version };
    if (res.status !== 200) throw await errorOf(res);
    return { notModified: false, sdl: await res.text(), etag, version };
  }

  private async json<T>(method: string, path: string, body?: unknown, okStatuses: number[] = []): Promise<T> {
    const res = await this.send(method, path, body, {}, this.options.timeoutMs ?? 30_000);
    if (!res.ok && !okStatuses.includes(res.status)) throw await errorOf(res);
    return (await res.json()) as T;
  }

  private async send(method: string, path: string, body: unknown, headers: Record<string, string>, timeoutMs: number, signal?: AbortSignal): Promise<Response> {
    const timeout = AbortSignal.timeout(timeoutMs);
    try {
      return await fetch(`${this.base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
    } catch (error) {
      throw new RegistryError('REGISTRY_UNAVAILABLE', `cannot reach the registry at ${this.base}: ${(error as Error).message}`, { cause: error });
    }
  }
}

async function errorOf(res: Response): Promise<RegistryError> {
  let code: RegistryErrorCode = res.status >= 500 ? 'REGISTRY_UNAVAILABLE' : 'BAD_REQUEST';
  let message = `registry answered ${res.status} ${res.statusText}`;
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    if (body.error?.code && body.error.code in REGISTRY_ERRORS) code = body.error.code as RegistryErrorCode;
    if (body.error?.message) message = body.error.message;
  } catch {
    // not a registry error body (a proxy's page): keep the status line
  }
  return new RegistryError(code, message);
}
