import { createHmac, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type pg from 'pg';
import type { CapturedChange } from '../change.js';
import type { CrmCompanies } from './crmCompanies.js';
import type { CaptureStatus } from './types.js';

/** HubSpot's webhook event, as far as Concord reads it. */
interface HubSpotEvent {
  eventId: number;
  subscriptionType: string;
  objectId: number;
  occurredAt: number;
  propertyName?: string;
  propertyValue?: string;
  primaryObjectId?: number;
  mergedObjectIds?: number[];
}

const SUPPORTED = new Set(['company.creation', 'company.propertyChange', 'company.deletion', 'company.merge']);

/** HubSpot rejects nothing older than 5 minutes either: a replayed request must be fresh to be believed. */
export const MAX_TIMESTAMP_AGE_MS = 5 * 60 * 1000;
const MAX_BODY_BYTES = 1024 * 1024;

export interface CrmWebhookReceiverOptions {
  host: string;
  port: number;
  /** The HubSpot app's client secret: the v3 signature key. */
  clientSecret: string;
  /** The MDM store: received event ids are remembered there (mdm.crm_webhook_event). */
  pool: pg.Pool;
  companies: CrmCompanies;
  publish: (changes: CapturedChange[]) => Promise<void>;
  /** The URL HubSpot is configured to call, when a proxy changes how it reaches us (the signature covers it). */
  publicBaseUrl?: string;
  onError?: (error: Error) => void;
}

export interface RunningWebhookReceiver {
  /** e.g. http://127.0.0.1:4011/webhooks/hubspot — the target URL to configure in the HubSpot app. */
  url: string;
  status(): CaptureStatus;
  close(): Promise<void>;
}

class Rejection extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/**
 * HubSpot's v3 signature check: HMAC-SHA256 over method + URI + body +
 * timestamp with the app's client secret, base64, compared in constant
 * time; a timestamp more than 5 minutes away is refused (replay).
 */
export function verifyHubSpotSignature(options: { secret: string; method: string; uri: string; body: string; timestamp: string | undefined; signature: string | undefined; now?: number }): string | undefined {
  const { timestamp, signature } = options;
  if (!signature || !timestamp) return 'missing X-HubSpot-Signature-v3 or X-HubSpot-Request-Timestamp';
  const ts = Number(timestamp);
  if (!Number.isFinite(ts)) return 'X-HubSpot-Request-Timestamp is not a number of milliseconds';
  if (Math.abs((options.now ?? Date.now()) - ts) > MAX_TIMESTAMP_AGE_MS) return 'X-HubSpot-Request-Timestamp is more than 5 minutes away';
  const expected = createHmac('sha256', options.secret).update(`${options.method}${options.uri}${options.body}${timestamp}`, 'utf8').digest();
  const given = Buffer.from(signature, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return 'signature does not match';
  return undefined;
}

function parseEvents(body: string): HubSpotEvent[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Rejection(400, `malformed JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new Rejection(400, 'expected a JSON array of webhook events');
  return parsed.map((e, i) => {
    const ok = e && typeof e === 'object' && Number.isInteger(e.eventId) && typeof e.subscriptionType === 'string'
      && Number.isInteger(e.objectId) && Number.isFinite(e.occurredAt)
      && (e.subscriptionType !== 'company.merge' || (Number.isInteger(e.primaryObjectId) && Array.isArray(e.mergedObjectIds) && e.mergedObjectIds.every(Number.isInteger)));
    if (!ok) throw new Rejection(400, `event ${i}: expected eventId, subscriptionType, objectId, occurredAt (and primaryObjectId, mergedObjectIds for a merge), got ${JSON.stringify(e).slice(0, 200)}`);
    return e as HubSpotEvent;
  });
}

/**
 * Concord's HubSpot webhook receiver (POST /webhooks/hubspot): verifies the
 * v3 signature and timestamp (401, nothing published), parses the batch
 * (400 when malformed), drops events it has seen (by eventId), turns the
 * rest into source changes — the company as the CRM holds it now (webhooks
 * carry one property; HubSpot's advice is to read the object), a deletion,
 * or for a merge the merged companies' removal and the primary's new state —
 * publishes them, remembers the event ids, and answers 200. Any failure
 * before that answers 5xx, so HubSpot retries.
 */
export async function startCrmWebhookReceiver(options: CrmWebhookReceiverOptions): Promise<RunningWebhookReceiver> {
  const status: CaptureStatus = { source: 'crm', mode: 'webhooks', position: null, lagSeconds: 0, lagEvents: 0, captured: 0 };
  let rejected = 0;

  async function handle(request: http.IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = request.url ?? '/';
    if (request.method !== 'POST' || url.split('?')[0] !== '/webhooks/hubspot') throw new Rejection(404, 'POST /webhooks/hubspot');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) throw new Rejection(413, `body larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
    const body = Buffer.concat(chunks).toString('utf8');
    const base = options.publicBaseUrl ?? `http://${request.headers.host ?? `${options.host}:${options.port}`}`;
    const problem = verifyHubSpotSignature({
      secret: options.clientSecret, method: 'POST', uri: `${base}${url}`, body,
      timestamp: header(request, 'x-hubspot-request-timestamp'), signature: header(request, 'x-hubspot-signature-v3'),
    });
    if (problem) throw new Rejection(401, problem);
    const events = parseEvents(body).filter((e) => SUPPORTED.has(e.subscriptionType));
    if (events.length === 0) return { status: 200, body: { received: 0 } };
    const seen = new Set((await options.pool.query('SELECT event_id FROM mdm.crm_webhook_event WHERE event_id = ANY($1::bigint[])', [events.map((e) => e.eventId)])).rows.map((r) => Number(r.event_id)));
    const fresh = events.filter((e) => !seen.has(e.eventId));
    const changes = await toChanges(fresh);
    if (changes.length > 0) await options.publish(changes);
    await options.pool.query('INSERT INTO mdm.crm_webhook_event (event_id) SELECT unnest($1::bigint[]) ON CONFLICT DO NOTHING', [fresh.map((e) => e.eventId)]);
    status.captured += changes.length;
    status.lastError = undefined;
    status.position = { lastEventId: Math.max(...events.map((e) => e.eventId)), lastOccurredAt: new Date(Math.max(...events.map((e) => e.occurredAt))).toISOString() };
    return { status: 200, body: { received: events.length, duplicates: events.length - fresh.length, published: changes.length } };
  }

  /** One change per company and kind in the batch; upserts read the company once, as the CRM holds it now. */
  async function toChanges(events: HubSpotEvent[]): Promise<CapturedChange[]> {
    const deletions = new Map<number, { event: HubSpotEvent; mergedInto?: number }>();
    const upserts = new Set<number>();
    for (const e of events) {
      if (e.subscriptionType === 'company.deletion') deletions.set(e.objectId, { event: e });
      else if (e.subscriptionType === 'company.merge') {
        for (const id of e.mergedObjectIds!) if (id !== e.primaryObjectId) deletions.set(id, { event: e, mergedInto: e.primaryObjectId });
        upserts.add(e.primaryObjectId!);
      } else upserts.add(e.objectId);
    }
    for (const id of deletions.keys()) upserts.delete(id);
    const changes: CapturedChange[] = [];
    for (const [id, { event, mergedInto }] of deletions) {
      changes.push({
        eventId: `crm:companies:${id}:${mergedInto ? 'merged' : 'deleted'}:${event.eventId}`, system: 'CRM', objectType: 'companies', entityType: 'customer',
        sourceId: String(id), op: mergedInto ? 'merge' : 'delete', occurredAt: new Date(event.occurredAt).toISOString(),
        updatedAt: new Date(event.occurredAt).toISOString(), ...(mergedInto ? { mergedInto: String(mergedInto) } : {}),
      });
    }
    if (upserts.size > 0) {
      const found = await options.companies.read([...upserts].map(String));
      for (const company of found) changes.push(options.companies.toChange(company));
      // Gone by the time we read it (deleted since): its deletion event follows, or the record was never there.
    }
    return changes;
  }

  const server = http.createServer((request, response) => {
    handle(request).then(
      (result) => send(response, result.status, result.body),
      (error) => {
        if (error instanceof Rejection) {
          if (error.status === 401) rejected++;
          if (!request.complete) request.resume();
          send(response, error.status, { status: 'error', message: error.message });
        } else {
          status.lastError = (error as Error).message;
          options.onError?.(error as Error);
          send(response, 503, { status: 'error', message: 'could not take the events now; retry' });
        }
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}/webhooks/hubspot`,
    status: () => ({ ...status, ...(rejected ? { refused: rejected } : {}) }),
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function header(request: http.IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function send(response: http.ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
  response.end(payload);
}
