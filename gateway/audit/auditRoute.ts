import type { IncomingMessage, ServerResponse } from 'node:http';
import type pg from 'pg';
import { AuthError } from '../../platform/auth/errors.js';
import { hasScope } from '../../platform/auth/principal.js';
import type { TokenVerifier } from '../auth/tokenVerifier.js';
import { listFieldReads, type FieldReadFilter } from './auditLog.js';

export const AUDIT_READ_SCOPE = 'audit:read';

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  response.end(text);
}

function refusal(response: ServerResponse, status: number, code: string, message: string, extra: Record<string, unknown> = {}): void {
  sendJson(response, status, { errors: [{ message, extensions: { code, ...extra } }] });
}

/**
 * `GET /audit` — the admin listing of audit.field_read, newest first, for
 * bearers with `audit:read` (ADR 0003: @apollo/gateway cannot serve fields
 * of its own, and the MDM subgraph should not read the gateway's audit
 * table). Query parameters: `subject`, `field` (a coordinate such as
 * Customer.primaryEmail), `since` (ISO 8601), `beforeId` (keyset paging:
 * pass the previous page's `nextBeforeId`), `limit` (1–1000, default 100).
 * Answers `{ entries: [...], nextBeforeId }`.
 */
export function auditRoute(verifier: TokenVerifier, pool: pg.Pool | undefined): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    void (async () => {
      if (request.method !== 'GET') return refusal(response, 405, 'METHOD_NOT_ALLOWED', 'GET /audit only.');
      let principal;
      try {
        const header = request.headers.authorization;
        principal = await verifier.verify(Array.isArray(header) ? header[0] : header);
      } catch (error) {
        if (error instanceof AuthError) return refusal(response, error.status, 'UNAUTHENTICATED', error.reason, { reason: error.code });
        throw error;
      }
      if (principal.kind !== 'user') return refusal(response, 401, 'UNAUTHENTICATED', 'The audit log needs a bearer token with the audit:read scope.');
      if (!hasScope(principal, AUDIT_READ_SCOPE)) return refusal(response, 403, 'FORBIDDEN', 'The audit log is for callers with the audit:read scope.');
      if (!pool) return refusal(response, 404, 'AUDIT_NOT_STORED', 'This gateway has no audit database (AUDIT_DATABASE_URL / DATABASE_URL): audit records go to its log.');
      const params = new URL(request.url ?? '/', 'http://gateway').searchParams;
      const filter: FieldReadFilter = {};
      if (params.get('subject')) filter.subject = params.get('subject')!;
      if (params.get('field')) filter.field = params.get('field')!;
      if (params.get('since')) {
        const since = new Date(params.get('since')!);
        if (Number.isNaN(since.getTime())) return refusal(response, 400, 'BAD_REQUEST', `since: expected an ISO 8601 date-time, got "${params.get('since')}".`);
        filter.since = since;
      }
      if (params.get('beforeId')) {
        if (!/^\d+$/.test(params.get('beforeId')!)) return refusal(response, 400, 'BAD_REQUEST', `beforeId: expected an entry id, got "${params.get('beforeId')}".`);
        filter.beforeId = params.get('beforeId')!;
      }
      if (params.get('limit')) {
        const limit = Number(params.get('limit'));
        if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return refusal(response, 400, 'BAD_REQUEST', `limit: expected an integer from 1 to 1000, got "${params.get('limit')}".`);
        filter.limit = limit;
      }
      const entries = await listFieldReads(pool, filter);
      const limit = filter.limit ?? 100;
      sendJson(response, 200, { entries, nextBeforeId: entries.length === limit ? entries[entries.length - 1].id : null });
    })().catch(() => {
      if (!response.headersSent) refusal(response, 500, 'INTERNAL_SERVER_ERROR', 'The audit log could not be read.');
    });
  };
}
