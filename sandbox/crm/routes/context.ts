import type { IncomingMessage } from 'node:http';
import { tooManyInputs, validationError } from '../errors.js';
import type { CrmStore } from '../store.js';
import type { WebhookDispatcher } from '../webhooks.js';

/** What a route handler gets: the request, its parsed URL and the store. */
export interface RouteContext {
  request: IncomingMessage;
  url: URL;
  /** The origin clients reached us at, for HubSpot's `paging.next.link`. */
  origin: string;
  store: CrmStore;
  /** Sends company changes to the app's webhook subscriptions (when configured). */
  webhooks?: WebhookDispatcher;
  /** Set by batch handlers: how many inputs the request carried, for the request log. */
  inputs?: number;
}

/** A handler's answer: HubSpot answers 200, or 207 when a batch partly failed. */
export interface RouteResult {
  status: number;
  body: unknown;
}

/** Reads `?properties=a,b&properties=c` (HubSpot accepts both forms). */
export function propertiesParam(url: URL): string[] | undefined {
  const names = url.searchParams
    .getAll('properties')
    .flatMap((value) => value.split(','))
    .map((name) => name.trim())
    .filter(Boolean);
  return names.length ? names : undefined;
}

/** Reads `?archived=true|false` (default false: only live records). */
export function archivedParam(url: URL): boolean {
  const raw = url.searchParams.get('archived');
  if (raw === null || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw validationError(`archived: expected true or false, got ${JSON.stringify(raw)}`);
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Reads a batch body's `inputs: [{ id }]`, checking its size against HubSpot's cap for the endpoint. */
export function batchInputIds(body: unknown, max: number, context: RouteContext): string[] {
  if (!isRecord(body)) throw validationError(`Invalid input JSON: expected a JSON object with inputs, got ${JSON.stringify(body)}`);
  const inputs = body.inputs;
  if (!Array.isArray(inputs)) throw validationError(`inputs: expected an array of { id }, got ${JSON.stringify(inputs)}`);
  context.inputs = inputs.length;
  if (inputs.length > max) throw tooManyInputs(max);
  return inputs.map((input, i) => {
    const id = isRecord(input) ? input.id : undefined;
    if (typeof id === 'string' && id !== '') return id;
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) return String(id);
    throw validationError(`inputs[${i}].id: expected an object id (a string), got ${JSON.stringify(id)}`);
  });
}
