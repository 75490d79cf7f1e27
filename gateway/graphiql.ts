/**
 * GraphiQL for a browser at GET /graphql: a self-contained page that loads
 * GraphiQL 3.9.0 and React 18.3.1 (UMD builds) from unpkg. The gateway stays
 * free of UI assets; the analyst's browser has internet. Each asset is pinned
 * with Subresource Integrity (sha384 of the file in the npm tarball, which
 * unpkg serves byte for byte), so a tampered CDN file is refused by the browser.
 *
 * The headers tab is open by default: analysts paste
 * `{"Authorization": "Bearer <token>"}` there (tokens from `npx concord token`);
 * GraphiQL's fetcher sends those headers with every request, introspection included.
 */
export const GRAPHIQL_ASSETS = [
  {
    kind: 'style',
    url: 'https://unpkg.com/graphiql@3.9.0/graphiql.min.css',
    integrity: 'sha384-QMux00XgRtwRLSYIY3kw2rj1ovk5AuuliAchk+HSQbqdbGFnz9GYuqIlOqxhwCE2',
  },
  {
    kind: 'script',
    url: 'https://unpkg.com/react@18.3.1/umd/react.production.min.js',
    integrity: 'sha384-DGyLxAyjq0f9SPpVevD6IgztCFlnMF6oW/XQGmfe+IsZ8TqEiDrcHkMLKI6fiB/Z',
  },
  {
    kind: 'script',
    url: 'https://unpkg.com/react-dom@18.3.1/umd/react-dom.production.min.js',
    integrity: 'sha384-gTGxhz21lVGYNMcdJOyq01Edg0jhn/c22nsx0kyqP0TxaV5WVdsSH1fSDUf5YJj1',
  },
  {
    kind: 'script',
    url: 'https://unpkg.com/graphiql@3.9.0/graphiql.min.js',
    integrity: 'sha384-8NGfVj4CVlqHajlZj+bPJT4thxPMHMJYn7DWK2CvtopLd02E7qsPHazniBYvVjOO',
  },
] as const;

export const DEFAULT_GRAPHIQL_QUERY = `# Welcome to Concord: one graph over the ERP, the CRM and the MDM.
#
# Authenticate in the Headers tab below:
#   { "Authorization": "Bearer <token>" }
# (demo tokens: npx concord token --help)
#
# Explore the schema with the Docs button (top left), then run with Ctrl-Enter.

query {
  __typename
}
`;

export interface GraphiQLPageOptions {
  /** Path the page posts to; relative, so it works behind any proxy prefix. @default 'graphql' */
  endpoint?: string;
  /** The query shown on first visit (a `?query=` in the URL wins). */
  defaultQuery?: string;
  title?: string;
}

/** Escape JSON for a <script> block: `</script>` and U+2028/9 must not end or break it. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Render the GraphiQL page. Pure: the gateway renders it once and serves the same bytes. */
export function renderGraphiQL(options: GraphiQLPageOptions = {}): string {
  const settings = { endpoint: options.endpoint ?? 'graphql', defaultQuery: options.defaultQuery ?? DEFAULT_GRAPHIQL_QUERY };
  const assets = GRAPHIQL_ASSETS.map((asset) =>
    asset.kind === 'style'
      ? `<link rel="stylesheet" href="${asset.url}" integrity="${asset.integrity}" crossorigin="anonymous" />`
      : `<script src="${asset.url}" integrity="${asset.integrity}" crossorigin="anonymous"></script>`,
  ).join('\n    ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <meta name="robots" content="noindex" />
    <title>${escapeHtml(options.title ?? 'Concord GraphiQL')}</title>
    <style>
      html, body, #graphiql { height: 100%; margin: 0; }
      #graphiql > .fallback { font: 16px/1.5 system-ui, sans-serif; padding: 2rem; }
    </style>
    ${assets}
  </head>
  <body>
    <div id="graphiql"><div class="fallback">Loading GraphiQL from unpkg.com… If this stays, the browser cannot reach unpkg.com; POST queries to this URL with any GraphQL client instead.</div></div>
    <script>
      (function () {
        var settings = ${scriptJson(settings)};
        var params = new URLSearchParams(window.location.search);
        var endpoint = new URL(settings.endpoint, window.location.href).toString();
        var fetcher = GraphiQL.createFetcher({ url: endpoint });
        var root = ReactDOM.createRoot(document.getElementById('graphiql'));
        root.render(
          React.createElement(GraphiQL, {
            fetcher: fetcher,
            defaultQuery: settings.defaultQuery,
            query: params.get('query') || undefined,
            variables: params.get('variables') || undefined,
            operationName: params.get('operationName') || undefined,
            isHeadersEditorEnabled: true,
            defaultEditorToolsVisibility: 'headers',
            // Tokens are not written to localStorage: a shared machine should not keep them.
            shouldPersistHeaders: false,
          }),
        );
      })();
    </script>
  </body>
</html>
`;
}
