import { createHash } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { composeServices } from '@apollo/composition';
import { Supergraph } from '@apollo/federation-internals';
import { QueryPlanner } from '@apollo/query-planner';
import { parse } from 'graphql';
import { request } from 'undici';
import { GatewayStartError } from '../errors.js';

/** A subgraph the gateway composes from: its name in the supergraph and its GraphQL URL. */
export interface SubgraphEndpoint {
  name: string;
  url: string;
}

/** A subgraph with its SDL, as composition and the schema registry see it. */
export interface SubgraphSdl {
  name: string;
  url: string;
  sdl: string;
}

/** The outcome of composition as plain data: the supergraph, or the reasons it failed. */
export type CompositionOutcome =
  | { supergraphSdl: string; hints: string[] }
  | { errors: Array<{ message: string; code?: string }> };

export function isCompositionFailure(outcome: CompositionOutcome): outcome is { errors: Array<{ message: string; code?: string }> } {
  return 'errors' in outcome;
}

/** Compose subgraph SDLs into a supergraph with @apollo/composition (Federation 2). */
export function composeSupergraph(subgraphs: SubgraphSdl[]): CompositionOutcome {
  const services = [];
  const errors: Array<{ message: string; code?: string }> = [];
  for (const subgraph of subgraphs) {
    try {
      services.push({ name: subgraph.name, url: subgraph.url, typeDefs: parse(subgraph.sdl) });
    } catch (error) {
      errors.push({ message: `[${subgraph.name}] SDL does not parse: ${(error as Error).message}`, code: 'INVALID_GRAPHQL' });
    }
  }
  if (errors.length > 0) return { errors };
  const result = composeServices(services);
  if (result.errors) {
    return { errors: result.errors.map((error) => ({ message: error.message, code: error.extensions.code as string | undefined })) };
  }
  return { supergraphSdl: result.supergraphSdl, hints: result.hints.map((hint) => hint.toString()) };
}

/** The supergraph's identity: the sha256 of its SDL, as @apollo/gateway computes its composition id. */
export function supergraphId(supergraphSdl: string): string {
  return createHash('sha256').update(supergraphSdl).digest('hex');
}

/**
 * Check a supergraph the way the gateway will use it — build and validate it,
 * derive the API schema, build a query planner — so a hot update that would
 * fail half-way through the gateway's own swap is refused before it starts.
 * Throws with the reason.
 */
export function validateSupergraphSdl(supergraphSdl: string): void {
  const supergraph = Supergraph.build(supergraphSdl, { validateSupergraph: true });
  supergraph.apiSchema();
  new QueryPlanner(supergraph);
}

export const SERVICE_SDL_QUERY = 'query __ApolloGetServiceDefinition__ { _service { sdl } }';

export interface FetchSdlOptions {
  /** Keep retrying connection failures and non-200 answers this long (subgraphs may still be starting). @default 0 */
  retryForMs?: number;
  /** Add headers (e.g. the gateway's proof token) before each attempt. */
  prepareHeaders?: (subgraphName: string, headers: Record<string, string>) => void | Promise<void>;
}

/** Fetch one subgraph's SDL with `{ _service { sdl } }`, retrying while it starts. */
export async function fetchSubgraphSdl(subgraph: SubgraphEndpoint, options: FetchSdlOptions = {}): Promise<string> {
  const deadline = Date.now() + (options.retryForMs ?? 0);
  let delayMs = 100;
  for (;;) {
    let reason: string;
    try {
      const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
      await options.prepareHeaders?.(subgraph.name, headers);
      const response = await request(subgraph.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: SERVICE_SDL_QUERY, operationName: '__ApolloGetServiceDefinition__' }),
        headersTimeout: 10_000,
        bodyTimeout: 10_000,
      });
      const text = await response.body.text();
      if (response.statusCode === 200) {
        const body = JSON.parse(text) as { data?: { _service?: { sdl?: string } }; errors?: Array<{ message: string }> };
        const sdl = body.data?._service?.sdl;
        if (typeof sdl === 'string') return sdl;
        // A GraphQL answer without SDL means it is not a federation subgraph: retrying will not help.
        throw new GatewayStartError('SUBGRAPH_SDL_UNAVAILABLE', `subgraph ${subgraph.name} at ${subgraph.url} answered without _service.sdl`, (body.errors ?? []).map((e) => e.message));
      }
      reason = `HTTP ${response.statusCode}`;
    } catch (error) {
      if (error instanceof GatewayStartError) throw error;
      reason = (error as Error).message;
    }
    if (Date.now() + delayMs > deadline) {
      throw new GatewayStartError('SUBGRAPH_SDL_UNAVAILABLE', `could not fetch the SDL of subgraph ${subgraph.name} at ${subgraph.url}`, [reason]);
    }
    await sleep(delayMs);
    delayMs = Math.min(delayMs * 2, 1_000);
  }
}

/** Fetch every subgraph's SDL and compose; throws COMPOSITION_FAILED listing each composition error. */
export async function composeSupergraphFromSubgraphs(subgraphs: SubgraphEndpoint[], options: FetchSdlOptions = {}): Promise<string> {
  const sdls = await Promise.all(subgraphs.map(async (subgraph) => ({ ...subgraph, sdl: await fetchSubgraphSdl(subgraph, options) })));
  const outcome = composeSupergraph(sdls);
  if (isCompositionFailure(outcome)) {
    throw new GatewayStartError(
      'COMPOSITION_FAILED',
      `the subgraphs ${subgraphs.map((s) => s.name).join(', ')} do not compose`,
      outcome.errors.map((e) => (e.code ? `${e.code}: ${e.message}` : e.message)),
    );
  }
  return outcome.supergraphSdl;
}

/**
 * Compose the running subgraphs and write the supergraph to a file (for
 * `concord schema compose` and `--supergraph path`). Written to a temporary
 * file then renamed, so a gateway watching the path never reads half a file.
 */
export async function writeSupergraphFile(subgraphs: SubgraphEndpoint[], path: string, options: FetchSdlOptions = {}): Promise<{ path: string; id: string }> {
  const supergraphSdl = await composeSupergraphFromSubgraphs(subgraphs, options);
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, supergraphSdl, 'utf8');
  await rename(temporary, path);
  return { path, id: supergraphId(supergraphSdl) };
}
