import type { IncomingMessage, ServerResponse } from 'node:http';
import { validationError } from './errors.js';

/**
 * The largest request body accepted. A batch of 1,000 association inputs is
 * ~30 KB and a search body a few KB, so 1 MiB leaves room without letting a
 * client make the process buffer arbitrary amounts.
 */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Reads and parses a JSON request body; a too-large or malformed body is HubSpot's 400. */
export async function readJsonBody(request: IncomingMessage, maxBytes = MAX_BODY_BYTES): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume(); // drain so the connection can answer
    throw validationError(`Request body too large: ${declared} bytes, at most ${maxBytes} accepted`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) tooLarge = true; // keep draining, stop keeping
    else chunks.push(chunk);
  }
  if (tooLarge) throw validationError(`Request body too large: more than ${maxBytes} bytes, at most ${maxBytes} accepted`);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') throw validationError('Invalid input JSON: the request body is empty; expected a JSON object');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw validationError(`Invalid input JSON: ${(error as Error).message}`);
  }
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, {
    ...headers,
    'content-type': 'application/json;charset=utf-8',
    'content-length': Buffer.byteLength(payload),
  });
  response.end(payload);
}
