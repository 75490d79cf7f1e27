import type { Readable } from 'node:stream';
import type { GraphQLError } from 'graphql';
import { limitError } from './limitErrors.js';

export interface HttpLimits {
  /** @default 102400 (100 KiB) — a large real operation with variables is a few KiB. */
  maxBodyBytes: number;
  /** Accept a JSON array of operations in one request. @default false */
  batching: boolean;
  /** @default 10 */
  maxBatchSize: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = { maxBodyBytes: 100 * 1024, batching: false, maxBatchSize: 10 };

export class RequestLimitError extends Error {
  constructor(readonly graphqlError: GraphQLError) {
    super(graphqlError.message);
    this.name = 'RequestLimitError';
  }
  get status(): number {
    return (this.graphqlError.extensions.http as { status: number }).status;
  }
  get code(): string {
    return this.graphqlError.extensions.code as string;
  }
}

/**
 * Reads a request body, refusing it (413 BODY_TOO_LARGE) as soon as the
 * declared Content-Length or the bytes received pass the limit, so a 1 MB
 * body is never buffered whole.
 */
export async function readLimitedBody(stream: Readable & { headers?: Record<string, string | string[] | undefined> }, maxBodyBytes = DEFAULT_HTTP_LIMITS.maxBodyBytes): Promise<Buffer> {
  const declared = Number(stream.headers?.['content-length']);
  if (Number.isFinite(declared) && declared > maxBodyBytes) {
    stream.resume(); // drain, so the connection can answer
    throw new RequestLimitError(limitError('BODY_TOO_LARGE', `The request body is ${declared} bytes, over the limit of ${maxBodyBytes}.`, { limit: maxBodyBytes, actual: declared }));
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) {
      stream.resume();
      throw new RequestLimitError(limitError('BODY_TOO_LARGE', `The request body is over the limit of ${maxBodyBytes} bytes.`, { limit: maxBodyBytes, actual: size }));
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Checks a parsed JSON body for batching: an array is refused unless
 * batching is on, and then holds at most maxBatchSize operations.
 * Returns the operations as a list either way.
 */
export function checkBatch<T>(body: T | T[], limits: Partial<HttpLimits> = {}): T[] {
  const config = { ...DEFAULT_HTTP_LIMITS, ...limits };
  if (!Array.isArray(body)) return [body];
  if (!config.batching) {
    throw new RequestLimitError(limitError('BATCHING_DISABLED', 'Batched requests (a JSON array of operations) are disabled on this gateway.', { limit: 1, actual: body.length }));
  }
  if (body.length > config.maxBatchSize) {
    throw new RequestLimitError(limitError('MAX_BATCH_SIZE_EXCEEDED', `The batch holds ${body.length} operations, over the limit of ${config.maxBatchSize}.`, { limit: config.maxBatchSize, actual: body.length }));
  }
  return body;
}
