import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';

/**
 * The business users' console (console/), served at /console like GraphiQL
 * at /graphql: one page, its script and its stylesheet, all from this origin
 * (the bundle is built from the installed npm packages when the stack starts,
 * so nothing is fetched from the internet at run time). The page posts to
 * /graphql with the token typed into its token field, so it needs nothing
 * the gateway does not already offer.
 *
 * The gateway only serves the bytes it is given (it imports nothing of
 * console/): whoever starts it builds the bundle (console/build.ts).
 */
export interface ConsoleBundle {
  js: Buffer;
  css: Buffer;
  /** @default 'Concord console' */
  title?: string;
}

type Route = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * The console's policy: scripts and styles from this origin only (no inline
 * script at all: the page's one script is the bundle), requests to this
 * origin (the /graphql endpoint), images as data: URLs; style attributes are
 * allowed because the charting library positions its tooltips with them.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "style-src-attr 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Routes for /console and its two files (content-hashed names, cached as immutable). */
export function consoleRoutes(bundle: ConsoleBundle): Record<string, Route> {
  const files = [
    { body: bundle.js, type: 'text/javascript; charset=utf-8', ext: 'js' },
    { body: bundle.css, type: 'text/css; charset=utf-8', ext: 'css' },
  ].map((f) => {
    const hash = createHash('sha256').update(f.body).digest('base64url').slice(0, 16);
    return { ...f, path: `/console/app-${hash}.${f.ext}`, integrity: `sha384-${createHash('sha384').update(f.body).digest('base64')}`, gzipped: gzipSync(f.body) };
  });
  const [js, css] = files;
  const title = (bundle.title ?? 'Concord console').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  // Paths relative to /console, so the page works behind a proxy prefix.
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${css.path.slice(1)}" integrity="${css.integrity}" />
  </head>
  <body>
    <div id="concord-console"></div>
    <noscript>The console needs JavaScript.</noscript>
    <script src="${js.path.slice(1)}" integrity="${js.integrity}" defer></script>
  </body>
</html>
`;
  const page: Route = (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return notAllowed(response);
    response.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': CONSOLE_CSP,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    });
    response.end(request.method === 'HEAD' ? undefined : html);
  };
  const routes: Record<string, Route> = {
    '/console': page,
    // "/console/" would resolve the page's relative paths one folder too deep.
    '/console/': (_request, response) => { response.writeHead(308, { location: '/console' }); response.end(); },
  };
  for (const file of files) {
    routes[file.path] = (request, response) => {
      if (request.method !== 'GET' && request.method !== 'HEAD') return notAllowed(response);
      const gzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      const body = gzip ? file.gzipped : file.body;
      response.writeHead(200, {
        'content-type': file.type,
        'content-length': body.length,
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        vary: 'accept-encoding',
        ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
    };
  }
  return routes;
}

function notAllowed(response: ServerResponse): void {
  response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' });
  response.end('method not allowed\n');
}

/** An id for logs: which console build is served. */
export const consoleBuildId = (bundle: ConsoleBundle) => createHash('sha256').update(bundle.js).digest('hex').slice(0, 12) || randomBytes(6).toString('hex');
