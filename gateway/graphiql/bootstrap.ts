/**
 * The GraphiQL page's only inline script and style, allowed by the page's
 * Content-Security-Policy through a per-response nonce (graphiql.ts). Page
 * data travels in a `<script type="application/json">` block, which browsers
 * never execute.
 *
 * The script runs in the browser after React, ReactDOM and GraphiQL's UMD
 * builds have set their globals; it is ES5 so it needs no build step.
 */
export const GRAPHIQL_BOOTSTRAP = String.raw`
(function () {
  'use strict';
  var settings = JSON.parse(document.getElementById('concord-graphiql-settings').textContent);
  // Tab-scoped: the token survives reloads but not the tab, and other users of a shared machine never see it.
  var TOKEN_KEY = 'concord:graphiql:token';
  var params = new URLSearchParams(window.location.search);
  var endpoint = new URL(settings.endpoint, window.location.href).toString();
  var form = document.getElementById('concord-auth');
  var tokenInput = document.getElementById('concord-token');
  var forget = document.getElementById('concord-forget');
  var status = document.getElementById('concord-token-status');

  // GraphiQL's dialogs lock page scrolling with a <style> element they create
  // (react-remove-scroll). It would take a CSP nonce only from webpack
  // internals the UMD bundle does not expose, so new style elements get this
  // page's nonce here; injected markup still cannot add styles.
  var nonce = document.currentScript && document.currentScript.nonce;
  var createElement = document.createElement;
  document.createElement = function (tagName) {
    var element = createElement.apply(this, arguments);
    if (nonce && String(tagName).toLowerCase() === 'style') element.nonce = nonce;
    return element;
  };

  function storageOf(name) {
    try { return window[name]; } catch (blocked) { return null; }
  }
  var session = storageOf('sessionStorage');
  var local = storageOf('localStorage');

  /** The field's token; a pasted "Bearer …" is accepted too. */
  function token() {
    return tokenInput.value.trim().replace(/^bearer\s+/i, '');
  }

  function hasAuthorization(headers) {
    return Object.keys(headers).some(function (name) { return name.toLowerCase() === 'authorization'; });
  }

  /** GraphiQL's fetcher plus the field's token, unless the Headers tab sets Authorization itself. */
  function createFetcher() {
    // The gateway answers plain JSON (no @defer), so no multipart reader.
    var fetcher = GraphiQL.createFetcher({ url: endpoint, enableIncrementalDelivery: false });
    return function (graphQLParams, options) {
      var headers = Object.assign({}, options && options.headers);
      var bearer = token();
      if (bearer && !hasAuthorization(headers)) headers.Authorization = 'Bearer ' + bearer;
      return fetcher(graphQLParams, Object.assign({}, options, { headers: headers }));
    };
  }

  function showStatus() {
    status.textContent = token()
      ? 'Sent as Authorization: Bearer … (kept in this tab only; an Authorization in the Headers tab wins)'
      : 'No token: anonymous, public fields only.';
  }

  function saveToken() {
    if (!session) return;
    if (token()) session.setItem(TOKEN_KEY, token());
    else session.removeItem(TOKEN_KEY);
  }

  tokenInput.value = (session && session.getItem(TOKEN_KEY)) || '';
  showStatus();

  // GraphiQL keeps the last query in localStorage; the configured variables belong to the default query only.
  var firstVisit = !params.get('query') && !(local && local.getItem('graphiql:query'));
  var props = {
    defaultQuery: settings.defaultQuery,
    query: params.get('query') || undefined,
    variables: params.get('variables') || (firstVisit ? settings.defaultVariables : undefined),
    operationName: params.get('operationName') || undefined,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'variables',
    // Headers (tokens) are not written to localStorage: a shared machine should not keep them.
    shouldPersistHeaders: false,
  };
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  function render() {
    // A new fetcher makes GraphiQL fetch the schema again, now with the new token
    // (introspection may need the explore scope in production).
    props.fetcher = createFetcher();
    root.render(React.createElement(GraphiQL, props));
  }

  tokenInput.addEventListener('input', showStatus);
  tokenInput.addEventListener('change', function () {
    saveToken();
    render();
  });
  forget.addEventListener('click', function () {
    tokenInput.value = '';
    saveToken();
    showStatus();
    render();
  });
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    tokenInput.blur();
  });
  render();
})();
`;

/** The page layout: the token bar above GraphiQL, in GraphiQL's colours (light and dark). */
export const GRAPHIQL_PAGE_STYLE = `
html, body { height: 100%; margin: 0; }
body { display: flex; flex-direction: column; }
#graphiql { flex: 1; min-height: 0; }
#graphiql > .fallback { font: 16px/1.5 system-ui, sans-serif; padding: 2rem; }
.concord-auth {
  display: flex; align-items: center; gap: 0.5rem; flex-wrap: wrap;
  padding: 0.4rem 1rem; font: 14px/1.4 system-ui, sans-serif;
  color: hsl(219, 28%, 32%); background: hsl(219, 28%, 97%); border-bottom: 1px solid hsla(219, 28%, 32%, 0.15);
}
.concord-auth input { flex: 1 1 22rem; max-width: 40rem; padding: 0.3rem 0.5rem; font: inherit; border: 1px solid hsla(219, 28%, 32%, 0.3); border-radius: 4px; }
.concord-auth button { padding: 0.3rem 0.7rem; font: inherit; border: 1px solid hsla(219, 28%, 32%, 0.3); border-radius: 4px; background: transparent; color: inherit; cursor: pointer; }
.concord-status { opacity: 0.75; }
@media (prefers-color-scheme: dark) {
  body:not(.graphiql-light) .concord-auth { color: hsl(219, 29%, 78%); background: hsl(219, 29%, 14%); border-color: hsla(219, 29%, 78%, 0.15); }
  body:not(.graphiql-light) .concord-auth input { color: inherit; background: hsl(219, 29%, 18%); border-color: hsla(219, 29%, 78%, 0.3); }
}
body.graphiql-dark .concord-auth { color: hsl(219, 29%, 78%); background: hsl(219, 29%, 14%); border-color: hsla(219, 29%, 78%, 0.15); }
body.graphiql-dark .concord-auth input { color: inherit; background: hsl(219, 29%, 18%); border-color: hsla(219, 29%, 78%, 0.3); }
`;
