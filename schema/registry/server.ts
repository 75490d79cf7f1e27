import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { ManifestError, validateManifest } from '../../platform/persisted/trustedDocumentManifest.js';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import { createPool } from '../../platform/db/index.js';
import type { ApiSchemaCache } from '../checks/checkSubgraph.js';
import { checkSubgraph } from '../checks/checkSubgraph.js';
import { RegistryError, isRegistryError } from './errors.js';
import { publishSubgraph, rollbackSupergraph } from './publish.js';
import { issueRegistryToken, listRegistryTokens, parseIssueTokenInput, revokeRegistryToken } from './tokens.js';
import { RegistryStore, migrateRegistry, type OperationReport, type Principal, type TokenGrant, type TokenScope } from './store/index.js';

export interface RegistryConfig {
  databaseUrl: string;
  /** @default 4020 (0 = any free port) */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  /** Teams and tokens created (idempotently) at start. */
  bootstrapTokens?: TokenGrant[];
  /** Days of operation usage kept and looked at by checks. @default 30 */
  usageRetentionDays?: number;
  /** Longest a `GET /supergraph?wait=ms` long-poll is held. @default 30000 */
  longPollMaxMs?: number;
  /** @default 5 MiB: a large subgraph SDL is ~100 KiB; usage batches stay far below. */
  maxBodyBytes?: number;
}

export interface RunningRegistry {
  url: string;
  store: RegistryStore;
  close(): Promise<void>;
}

const readScopes: TokenScope[] = ['read', 'gateway', 'publish', 'admin'];
const usageScopes: TokenScope[] = ['gateway', 'admin'];
const adminScopes: TokenScope[] = ['admin'];
/** A long-poll re-reads the current version this often, so a publish through another registry replica is seen too. */
const longPollRecheckMs = 1_000;
/** Operations per usage report accepted in one request. */
const maxUsageBatch = 10_000;
const pruneEveryMs = 60 * 60 * 1000;

/**
 * The schema registry's HTTP service (plain node:http: a handful of JSON
 * routes, no framework). Routes:
 *   GET  /health                       no token
 *   GET  /supergraph                   current supergraph SDL, ETag / If-None-Match → 304, optional ?wait=ms long-poll
 *   POST /v1/check                     { subgraph, sdl, routingUrl?, acceptSecurityChanges? } → CheckReport
 *   POST /v1/publish                   { subgraph, sdl, routingUrl?, commit?, ownerTeam?, acceptSecurityChanges? } → PublishResult (422 when refused)
 *   POST /v1/rollback                  { toVersion } → RollbackResult
 *   GET  /v1/subgraphs                 list with owner and current version
 *   GET  /v1/subgraphs/:name/versions  a subgraph's SDL history
 *   GET  /v1/supergraphs               supergraph history
 *   GET  /v1/supergraphs/:id           one version's supergraph SDL
 *   GET  /v1/audit                     the publish/rollback log
 *   POST /v1/usage                     { operations: [{ hash, name, clientName, clientVersion, fields, count }] }
 *   POST /v1/tokens                    admin: { scope, team?, label? } → 201 the new token, its secret shown once
 *   GET  /v1/tokens                    admin: every token's id, scope, team, label, dates (never the secret)
 *   DELETE /v1/tokens/:id              admin: revoke; the token's next request gets 401
 */
export async function startRegistry(config: RegistryConfig): Promise<RunningRegistry> {
  const pool = createPool({ connectionString: config.databaseUrl, applicationName: 'concord-registry', max: 5 });
  try {
    await migrateRegistry(pool);
    const store = new RegistryStore(pool);
    for (const grant of config.bootstrapTokens ?? []) await store.tokens.grantToken(grant);
    return await listen(pool, store, config);
  } catch (error) {
    await pool.end().catch(() => {});
    throw error;
  }
}

async function listen(pool: pg.Pool, store: RegistryStore, config: RegistryConfig): Promise<RunningRegistry> {
  const windowDays = config.usageRetentionDays ?? 30;
  const longPollMaxMs = config.longPollMaxMs ?? 30_000;
  const maxBodyBytes = config.maxBodyBytes ?? 5 * 1024 * 1024;
  const apiSchemaCache: ApiSchemaCache = new Map();
  const waiters = new Set<() => void>();
  let lastPrune = 0;
  let closing = false;
  const wakeWaiters = () => {
    for (const wake of [...waiters]) wake();
  };

  async function authenticate(req: IncomingMessage, allowed: TokenScope[]): Promise<Principal> {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) throw new RegistryError('UNAUTHENTICATED', 'expected an "Authorization: Bearer <token>" header');
    const principal = await store.tokens.findPrincipal(match[1]);
    if (!principal) throw new RegistryError('UNAUTHENTICATED', 'unknown or revoked token');
    if (!allowed.includes(principal.scope)) {
      throw new RegistryError('FORBIDDEN', `a ${principal.scope} token cannot do this; needs one of: ${allowed.join(', ')}`);
    }
    return principal;
  }

  async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBodyBytes) throw new RegistryError('PAYLOAD_TOO_LARGE', `request body over ${maxBodyBytes} bytes`);
      chunks.push(chunk as Buffer);
    }
    try {
      const value = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new Error('not an object');
      return value;
    } catch (error) {
      throw new RegistryError('BAD_REQUEST', `expected a JSON object body: ${(error as Error).message}`);
    }
  }

  async function serveSupergraph(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    await authenticate(req, readScopes);
    const wait = Math.min(Math.max(Number(url.searchParams.get('wait') ?? 0) || 0, 0), longPollMaxMs);
    const known = req.headers['if-none-match'];
    let head = await store.versions.currentSupergraphHead();
    if (known && wait > 0) {
      const deadline = Date.now() + wait;
      while (head && etagOf(head) === known && Date.now() < deadline && !closing && !res.closed) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.min(longPollRecheckMs, Math.max(deadline - Date.now(), 0)));
          function done() {
            clearTimeout(timer);
            waiters.delete(done);
            resolve();
          }
          waiters.add(done);
        });
        head = await store.versions.currentSupergraphHead();
      }
    }
    if (!head) throw new RegistryError('NOT_FOUND', 'no supergraph has been published yet');
    const etag = etagOf(head);
    if (known === etag) {
      res.writeHead(304, { etag, 'x-supergraph-version': String(head.id) }).end();
      return;
    }
    const current = await store.versions.currentSupergraph();
    if (!current) throw new RegistryError('NOT_FOUND', 'no supergraph has been published yet');
    res.writeHead(200, {
      'content-type': 'text/plain; charset=utf-8',
      etag: etagOf(current),
      'x-supergraph-version': String(current.id),
      'cache-control': 'no-cache',
    }).end(current.sdl);
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://registry');
    const method = req.method ?? 'GET';
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (method === 'GET' && path === '/health') return sendJson(res, 200, { status: 'ok' });
    if (method === 'GET' && (path === '/supergraph' || path === '/v1/supergraph')) return serveSupergraph(req, res, url);
    if (method === 'POST' && path === '/v1/check') {
      await authenticate(req, readScopes);
      const body = await readJson(req);
      const outcome = await checkSubgraph(store, {
        subgraph: requireText(body, 'subgraph'), sdl: requireText(body, 'sdl'),
        routingUrl: optionalText(body, 'routingUrl'), acceptSecurityChanges: body.acceptSecurityChanges === true,
      }, { windowDays, apiSchemaCache });
      return sendJson(res, 200, outcome.report);
    }
    if (method === 'POST' && path === '/v1/publish') {
      const principal = await authenticate(req, ['publish', 'admin']);
      const body = await readJson(req);
      const result = await publishSubgraph(store, principal, {
        subgraph: requireText(body, 'subgraph'), sdl: requireText(body, 'sdl'), routingUrl: optionalText(body, 'routingUrl'),
        commit: optionalText(body, 'commit'), ownerTeam: optionalText(body, 'ownerTeam'),
        acceptSecurityChanges: body.acceptSecurityChanges === true,
      }, { windowDays, apiSchemaCache });
      if (result.published) wakeWaiters();
      return sendJson(res, result.published || result.unchanged ? 200 : 422, result);
    }
    if (method === 'POST' && path === '/v1/rollback') {
      const principal = await authenticate(req, ['publish', 'admin']);
      const body = await readJson(req);
      const toVersion = body.toVersion;
      if (!Number.isInteger(toVersion) || (toVersion as number) < 1) throw new RegistryError('BAD_REQUEST', 'toVersion: expected a supergraph version id (a positive integer)');
      const result = await rollbackSupergraph(store, principal, toVersion as number);
      wakeWaiters();
      return sendJson(res, 200, result);
    }
    if (method === 'POST' && path === '/v1/usage') {
      await authenticate(req, usageScopes);
      const reports = parseUsage(await readJson(req));
      const accepted = await store.usage.recordUsage(reports);
      if (Date.now() - lastPrune > pruneEveryMs) {
        lastPrune = Date.now();
        await store.usage.pruneUsage(windowDays);
      }
      return sendJson(res, 200, { accepted });
    }
    if (method === 'GET' && path === '/v1/subgraphs') {
      await authenticate(req, readScopes);
      return sendJson(res, 200, { subgraphs: await store.versions.listSubgraphs() });
    }
    const versions = /^\/v1\/subgraphs\/([^/]+)\/versions$/.exec(path);
    if (method === 'GET' && versions) {
      await authenticate(req, readScopes);
      const name = decodeURIComponent(versions[1]);
      if (!(await store.versions.getSubgraph(name))) throw new RegistryError('NOT_FOUND', `no subgraph "${name}"`);
      return sendJson(res, 200, { subgraph: name, versions: await store.versions.subgraphHistory(name, limitOf(url)) });
    }
    if (method === 'GET' && path === '/v1/supergraphs') {
      await authenticate(req, readScopes);
      return sendJson(res, 200, { versions: await store.versions.supergraphHistory(limitOf(url)) });
    }
    const one = /^\/v1\/supergraphs\/(\d+)$/.exec(path);
    if (method === 'GET' && one) {
      await authenticate(req, readScopes);
      const sdl = await store.versions.supergraphSdl(Number(one[1]));
      if (sdl === undefined) throw new RegistryError('NOT_FOUND', `no supergraph version ${one[1]}`);
      return sendJson(res, 200, { id: Number(one[1]), supergraphSdl: sdl });
    }
    if (method === 'GET' && path === '/v1/audit') {
      await authenticate(req, readScopes);
      return sendJson(res, 200, { entries: await store.audit.auditLog(limitOf(url)) });
    }
    const documents = /^\/v1\/trusted-documents\/([^/]+)$/.exec(path);
    if (method === 'PUT' && documents) {
      // Client teams publish with a publish token, like subgraph teams; the log names who.
      const principal = await authenticate(req, ['publish', 'admin']);
      const client = decodeURIComponent(documents[1]);
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/.test(client)) throw new RegistryError('BAD_REQUEST', `client: expected a client name of letters, digits, . _ -, got "${client}"`);
      let manifest;
      try {
        manifest = validateManifest(await readJson(req));
      } catch (error) {
        if (error instanceof ManifestError) throw new RegistryError('BAD_REQUEST', `manifest: ${error.message}`);
        throw error;
      }
      return sendJson(res, 200, await store.trustedDocuments.save(client, manifest, principal.label));
    }
    if (method === 'GET' && path === '/v1/trusted-documents') {
      await authenticate(req, readScopes);
      return sendJson(res, 200, { clients: await store.trustedDocuments.list() }, { 'cache-control': 'no-cache' });
    }
    if (path === '/v1/tokens' && (method === 'POST' || method === 'GET')) {
      // Unknown or revoked token 401, non-admin 403, before the body is read.
      const principal = await authenticate(req, adminScopes);
      if (method === 'GET') return sendJson(res, 200, { tokens: await listRegistryTokens(store, principal) });
      const input = parseIssueTokenInput(await readJson(req));
      return sendJson(res, 201, await issueRegistryToken(store, principal, input), { 'cache-control': 'no-store' });
    }
    const tokenRoute = /^\/v1\/tokens\/([^/]+)$/.exec(path);
    if (method === 'DELETE' && tokenRoute) {
      const principal = await authenticate(req, adminScopes);
      const id = Number(tokenRoute[1]);
      if (!Number.isSafeInteger(id) || id < 1) throw new RegistryError('BAD_REQUEST', `token id: expected a positive integer, got "${tokenRoute[1]}"`);
      return sendJson(res, 200, await revokeRegistryToken(store, principal, id));
    }
    throw new RegistryError('NOT_FOUND', `no route ${method} ${path}`);
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      const known = isRegistryError(error) ? error : new RegistryError('INTERNAL', 'internal registry error', { cause: error });
      if (!isRegistryError(error)) console.error('[registry]', error);
      if (res.headersSent) return void res.destroy();
      const headers: Record<string, string> = known.code === 'UNAUTHENTICATED' ? { 'www-authenticate': 'Bearer realm="concord-registry"' } : {};
      sendJson(res, known.status, { error: { code: known.code, message: known.message } }, headers);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port ?? 4020, config.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    store,
    async close() {
      closing = true;
      wakeWaiters();
      await new Promise<void>((resolve) => {
        // Idle keep-alive sockets close now; a busy one gets a moment to finish its response.
        const force = setTimeout(() => server.closeAllConnections(), 2_000);
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
      await pool.end();
    },
  };
}

/** The ETag of a supergraph version: its id and content hash (ids alone would repeat across databases). */
function etagOf(head: { id: number; sdlHash: string }): string {
  return `"${head.id}-${head.sdlHash.slice(0, 16)}"`;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
}

function requireText(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || !value.trim()) throw new RegistryError('BAD_REQUEST', `${key}: expected a non-empty string`);
  return value;
}

function optionalText(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new RegistryError('BAD_REQUEST', `${key}: expected a string`);
  return value;
}

function limitOf(url: URL): number {
  const limit = Number(url.searchParams.get('limit') ?? 50);
  return Number.isInteger(limit) && limit > 0 ? Math.min(limit, 500) : 50;
}

function parseUsage(body: Record<string, unknown>): OperationReport[] {
  const operations = body.operations;
  if (!Array.isArray(operations)) throw new RegistryError('BAD_REQUEST', 'operations: expected an array');
  if (operations.length > maxUsageBatch) throw new RegistryError('BAD_REQUEST', `operations: at most ${maxUsageBatch} per report, got ${operations.length}`);
  return operations.map((op, i) => {
    const o = op as Record<string, unknown>;
    const where = `operations[${i}]`;
    if (!o || typeof o !== 'object') throw new RegistryError('BAD_REQUEST', `${where}: expected an object`);
    if (typeof o.hash !== 'string' || !o.hash) throw new RegistryError('BAD_REQUEST', `${where}.hash: expected a non-empty string`);
    if (!Array.isArray(o.fields) || !o.fields.every((f) => typeof f === 'string')) throw new RegistryError('BAD_REQUEST', `${where}.fields: expected an array of "Type.field" strings`);
    if (!Number.isInteger(o.count) || (o.count as number) < 1) throw new RegistryError('BAD_REQUEST', `${where}.count: expected a positive integer`);
    for (const key of ['name', 'clientName', 'clientVersion'] as const) {
      if (o[key] !== undefined && o[key] !== null && typeof o[key] !== 'string') throw new RegistryError('BAD_REQUEST', `${where}.${key}: expected a string`);
    }
    return {
      hash: o.hash, name: (o.name as string | null) ?? null, clientName: (o.clientName as string | null) ?? null,
      clientVersion: (o.clientVersion as string | null) ?? null, fields: o.fields as string[], count: o.count as number,
    };
  });
}
