import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createGraphiQLAssetHandler, loadGraphiQLAssets, type GraphiQLAsset } from './assets.js';
import { GRAPHIQL_BOOTSTRAP, GRAPHIQL_PAGE_STYLE } from './bootstrap.js';

/**
 * GraphiQL for a browser at GET /graphql. The page loads GraphiQL and React
 * from the gateway itself (see graphiqlAssets.ts: no CDN, works offline) and
 * runs one inline bootstrap script; its Content-Security-Policy allows scripts
 * and styles from this origin plus the page's own inline script and style,
 * by a nonce drawn for each response.
 *
 * Authentication: a token field above GraphiQL (kept in sessionStorage, so
 * it survives reloads but not the tab) sends `Authorization: Bearer <token>`;
 * an Authorization header typed into GraphiQL's Headers tab wins over it.
 */

/** The customer 360 query (the same operation as test/e2e/customer360.graphql; a test keeps them in step). */
export const CUSTOMER_360_QUERY = `query Customer360($id: ID!) {
  customer(id: $id) {
    id
    name
    taxId
    primaryEmail
    sources { system sourceId matchScore }
    openBalance
    creditLimit
    orders(last: 5) {
      number
      date
      total
      lines { quantity product { sku name stock { onHand } } }
    }
    overdueInvoices { number dueDate amountDue }
    contacts { name email phone }
    deals(open: true) { name stage amount closeDate }
    tickets(open: true) { subject priority }
  }
}
`;

export const DEFAULT_GRAPHIQL_QUERY = `# Welcome to Concord: one graph over the ERP, the CRM and the MDM.
#
# 1. Paste a token in the field above
#    (demo: npx concord token --user demo-analyst).
# 2. Run it (the ▶ button or Ctrl-Enter): a golden customer
#    with its orders (ERP), contacts, deals and tickets (CRM)
#    and source records (MDM). Its id is in Variables; find
#    others with
#    { searchCustomers(name: "acme") { nodes { id name } } }
# The Docs button (top left) browses the schema.

${CUSTOMER_360_QUERY}`;

export interface GraphiQLPageOptions {
  /** Path the page posts to; relative, so it works behind any proxy prefix. @default 'graphql' */
  endpoint?: string;
  /** The query shown on a browser's first visit (a `?query=` in the URL wins). @default DEFAULT_GRAPHIQL_QUERY */
  defaultQuery?: string;
  /**
   * Variables shown with the default query on a browser's first visit, e.g.
   * `{ id: <the showcase customer's master id> }` (the stack passes it).
   * @default { id: '' }
   */
  defaultVariables?: Record<string, unknown>;
  /** @default 'Concord GraphiQL' */
  title?: string;
}

export interface GraphiQLPage {
  /** The page for one response: its HTML and headers (Content-Security-Policy and friends) with a fresh nonce. */
  respond(): { html: string; headers: Readonly<Record<string, string>> };
  /** Serve a GraphiQL asset path (/graphiql/…); false when the path is not one. */
  serveAsset(request: IncomingMessage, response: ServerResponse, urlPath: string): boolean;
}

/** Escape JSON for a <script> block: `</script>` and U+2028/9 must not end or break it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * The page's policy: nothing by default; scripts and styles from this origin
 * and inline ones carrying the response's nonce (the bootstrap, the page
 * style, and the style elements GraphiQL's dialogs create through the
 * bootstrap); fonts and icons are data: URLs inside graphiql.min.css;
 * requests only to this origin (the endpoint).
 */
export function graphiqlContentSecurityPolicy(nonce: string): string {
  return [
    "default-src 'none'",
    `script-src 'self' 'nonce-${nonce}'`,
    `style-src 'self' 'nonce-${nonce}'`,
    "img-src 'self' data:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** A tag for an asset, by a path relative to the page (works behind a proxy prefix), with its SRI hash. */
function assetTag(asset: GraphiQLAsset): string {
  const href = asset.path.slice(1);
  return asset.kind === 'style'
    ? `<link rel="stylesheet" href="${href}" integrity="${asset.integrity}" />`
    : `<script src="${href}" integrity="${asset.integrity}"></script>`;
}

/**
 * Render the GraphiQL page once, as a template into which each response puts
 * its own nonce, together with the asset handler. Reads the asset files on
 * first call; throws GraphiQLAssetsError if they are not installed.
 */
export function renderGraphiQL(options: GraphiQLPageOptions = {}, assets: readonly GraphiQLAsset[] = loadGraphiQLAssets()): GraphiQLPage {
  const settings = {
    endpoint: options.endpoint ?? 'graphql',
    defaultQuery: options.defaultQuery ?? DEFAULT_GRAPHIQL_QUERY,
    defaultVariables: JSON.stringify(options.defaultVariables ?? { id: '' }, null, 2),
  };
  const styles = assets.filter((a) => a.kind === 'style').map(assetTag).join('\n    ');
  const scripts = assets.filter((a) => a.kind === 'script').map(assetTag).join('\n    ');
  // Unguessable, so no option text can contain it and be mistaken for the nonce's place.
  const noncePlaceholder = `nonce-${randomUUID()}`;
  const html = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${escapeHtml(options.title ?? 'Concord GraphiQL')}</title>
    <link rel="icon" href="data:," />
    <style nonce="${noncePlaceholder}">${GRAPHIQL_PAGE_STYLE}</style>
    ${styles}
  </head>
  <body>
    <form id="concord-auth" class="concord-auth" autocomplete="off">
      <strong>Concord</strong>
      <label for="concord-token">Bearer token</label>
      <input id="concord-token" name="token" type="password" autocomplete="off" spellcheck="false"
        placeholder="paste a JWT (demo: npx concord token --user demo-analyst)" />
      <button id="concord-forget" type="button">Forget</button>
      <span id="concord-token-status" class="concord-status" role="status"></span>
    </form>
    <div id="graphiql"><div class="fallback">Loading GraphiQL… It needs JavaScript; any GraphQL client can POST queries to this URL instead.</div></div>
    <script type="application/json" id="concord-graphiql-settings">${scriptJson(settings)}</script>
    ${scripts}
    <script nonce="${noncePlaceholder}">${GRAPHIQL_BOOTSTRAP}</script>
  </body>
</html>
`;
  const template = html.split(noncePlaceholder);
  return {
    respond() {
      const nonce = randomBytes(18).toString('base64');
      return {
        html: template.join(nonce),
        headers: {
          'content-security-policy': graphiqlContentSecurityPolicy(nonce),
          // A nonce is good for one response only: never store the page.
          'cache-control': 'no-store',
          'x-content-type-options': 'nosniff',
          'referrer-policy': 'no-referrer',
        },
      };
    },
    serveAsset: createGraphiQLAssetHandler(assets),
  };
}
