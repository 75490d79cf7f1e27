import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';

/**
 * GraphiQL's browser files, served by the gateway itself from the installed
 * npm packages (graphiql, react, react-dom): the page works where browsers
 * have no internet (air-gapped deployments, CI), and the gateway never sends
 * its users' browsers to a third-party CDN.
 *
 * Each file sits under /graphiql/<package>@<version>/<file>. The version is
 * read from the package's own package.json, so an upgrade changes the URL and
 * the files can be cached as immutable for a year.
 */
export const GRAPHIQL_ASSET_PREFIX = '/graphiql/';

export interface GraphiQLAsset {
  /** URL path, e.g. /graphiql/graphiql@3.8.3/graphiql.min.js */
  path: string;
  kind: 'script' | 'style';
  contentType: string;
  body: Buffer;
  /** Subresource Integrity of `body` (sha384), set on the page's tags. */
  integrity: string;
  etag: string;
}

/** In page order: the stylesheet, then React before ReactDOM before GraphiQL (the UMD builds read each other's globals). */
const SOURCES = [
  { packageName: 'graphiql', file: 'graphiql.min.css', kind: 'style' },
  { packageName: 'react', file: 'umd/react.production.min.js', kind: 'script' },
  { packageName: 'react-dom', file: 'umd/react-dom.production.min.js', kind: 'script' },
  { packageName: 'graphiql', file: 'graphiql.min.js', kind: 'script' },
] as const;

const CONTENT_TYPES = { script: 'text/javascript; charset=utf-8', style: 'text/css; charset=utf-8' } as const;

/** A year: the URL carries the package version, so a cached file is never stale. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export class GraphiQLAssetsError extends Error {
  readonly code = 'GRAPHIQL_ASSETS_MISSING';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GraphiQLAssetsError';
  }
}

let loaded: readonly GraphiQLAsset[] | undefined;

/**
 * Read the asset files once per process (about 4 MB) and keep them in memory.
 * Resolved through the package's package.json rather than the file itself:
 * react and react-dom do not list `umd/` in their `exports`.
 */
export function loadGraphiQLAssets(): readonly GraphiQLAsset[] {
  if (loaded) return loaded;
  const require = createRequire(import.meta.url);
  loaded = SOURCES.map(({ packageName, file, kind }) => {
    let packageJsonPath: string;
    let body: Buffer;
    try {
      packageJsonPath = require.resolve(`${packageName}/package.json`);
      body = readFileSync(path.join(path.dirname(packageJsonPath), file));
    } catch (error) {
      throw new GraphiQLAssetsError(
        `GraphiQL needs ${packageName}/${file} from node_modules but could not read it (${(error as Error).message}). ` +
          'Run `npm ci` (graphiql, react and react-dom are runtime dependencies), or start the gateway with graphiql: false.',
        { cause: error },
      );
    }
    const { version } = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { version: string };
    return {
      path: `${GRAPHIQL_ASSET_PREFIX}${packageName}@${version}/${path.basename(file)}`,
      kind,
      contentType: CONTENT_TYPES[kind],
      body,
      integrity: `sha384-${createHash('sha384').update(body).digest('base64')}`,
      // Weak: the gzipped and the identity bytes are the same resource.
      etag: `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
    };
  });
  return loaded;
}

const gzipAsync = promisify(gzip);
const gzipped = new Map<string, Promise<Buffer>>();

/** Compressed once, on first request, off the event loop (graphiql.min.js is 3.5 MB, ~0.9 MB gzipped). */
function gzippedBody(asset: GraphiQLAsset): Promise<Buffer> {
  let body = gzipped.get(asset.path);
  if (!body) {
    body = gzipAsync(asset.body);
    gzipped.set(asset.path, body);
  }
  return body;
}

function acceptsGzip(request: IncomingMessage): boolean {
  const accept = request.headers['accept-encoding'];
  // `gzip;q=0` refuses gzip; any other q accepts it.
  return typeof accept === 'string' && /\bgzip\b(?!\s*;\s*q=0(?:\.0{0,3})?\s*(?:,|$))/.test(accept);
}

/**
 * Answer GET/HEAD for one asset path: 200 with the bytes (gzip when accepted),
 * 304 when the browser's copy is current, or `false` when the path is not an
 * asset (the caller answers 404).
 */
export function createGraphiQLAssetHandler(
  assets: readonly GraphiQLAsset[],
): (request: IncomingMessage, response: ServerResponse, urlPath: string) => boolean {
  const byPath = new Map(assets.map((asset) => [asset.path, asset]));
  return (request, response, urlPath) => {
    const asset = byPath.get(urlPath);
    if (!asset || (request.method !== 'GET' && request.method !== 'HEAD')) return false;
    const headers: Record<string, string> = {
      'content-type': asset.contentType,
      'cache-control': IMMUTABLE,
      etag: asset.etag,
      vary: 'accept-encoding',
      'x-content-type-options': 'nosniff',
    };
    if (request.headers['if-none-match']?.split(/\s*,\s*/).includes(asset.etag)) {
      response.writeHead(304, headers);
      response.end();
      return true;
    }
    const send = (body: Buffer, encoding?: string) => {
      response.writeHead(200, { ...headers, ...(encoding ? { 'content-encoding': encoding } : {}), 'content-length': body.length });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
    if (!acceptsGzip(request)) {
      send(asset.body);
      return true;
    }
    gzippedBody(asset).then(
      (body) => send(body, 'gzip'),
      () => send(asset.body),
    );
    return true;
  };
}
