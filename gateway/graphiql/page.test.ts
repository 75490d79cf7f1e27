import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_360_QUERY, graphiqlContentSecurityPolicy, renderGraphiQL, type GraphiQLPage } from './page.js';
import { GRAPHIQL_ASSET_PREFIX, loadGraphiQLAssets } from './assets.js';
import { GRAPHIQL_BOOTSTRAP, GRAPHIQL_PAGE_STYLE } from './bootstrap.js';

const installedVersion = (name: string) => (JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;

/** The settings the page hands its bootstrap script. */
function settingsOf(html: string): { endpoint: string; defaultQuery: string; defaultVariables: string } {
  const json = /<script type="application\/json" id="concord-graphiql-settings">(.*?)<\/script>/s.exec(html)![1];
  return JSON.parse(json);
}

describe('the GraphiQL page', () => {
  it('loads GraphiQL, React and ReactDOM from this origin at paths carrying the installed versions', () => {
    const paths = loadGraphiQLAssets().map((asset) => asset.path);
    expect(paths).toEqual([
      `/graphiql/graphiql@${installedVersion('graphiql')}/graphiql.min.css`,
      `/graphiql/react@${installedVersion('react')}/react.production.min.js`,
      `/graphiql/react-dom@${installedVersion('react-dom')}/react-dom.production.min.js`,
      `/graphiql/graphiql@${installedVersion('graphiql')}/graphiql.min.js`,
    ]);
    const { html } = renderGraphiQL().respond();
    // React before ReactDOM before GraphiQL before the bootstrap: the UMD builds read each other's globals.
    const order = [...html.matchAll(/<script src="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual(paths.slice(1).map((p) => p.slice(1)));
    expect(html.indexOf(paths[3].slice(1))).toBeLessThan(html.indexOf(GRAPHIQL_BOOTSTRAP));
    expect(html).not.toContain('unpkg');
  });

  it('allows only same-origin scripts and styles plus its own inline script and style, by a nonce', () => {
    const page = renderGraphiQL().respond();
    const csp = page.headers['content-security-policy'];
    const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/]{24})'/.exec(csp)![1];
    expect(csp).toBe(graphiqlContentSecurityPolicy(nonce));
    expect(csp).toContain(`style-src 'self' 'nonce-${nonce}';`);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe');
    expect(page.headers['cache-control']).toBe('no-store');
    // The one executable inline script is the bootstrap, with the nonce; the other inline block is JSON data.
    const inline = [...page.html.matchAll(/<script(?![^>]*\bsrc=)([^>]*)>(.*?)<\/script>/gs)];
    expect(inline.map((m) => m[1].trim())).toEqual(['type="application/json" id="concord-graphiql-settings"', `nonce="${nonce}"`]);
    expect(inline[1][2]).toBe(GRAPHIQL_BOOTSTRAP);
    expect([...page.html.matchAll(/<style nonce="([^"]*)">(.*?)<\/style>/gs)].map((m) => [m[1], m[2]])).toEqual([[nonce, GRAPHIQL_PAGE_STYLE]]);
  });

  it('draws a new nonce for every response', () => {
    const page = renderGraphiQL();
    const nonces = new Set(Array.from({ length: 20 }, () => /'nonce-([^']+)'/.exec(page.respond().headers['content-security-policy'])![1]));
    expect(nonces.size).toBe(20);
  });

  it('opens on the customer 360 query, the same operation as the e2e test sends', () => {
    const e2e = readFileSync(new URL('../../test/e2e/customer360.graphql', import.meta.url), 'utf8');
    expect(CUSTOMER_360_QUERY.trim()).toBe(e2e.trim());
    const settings = settingsOf(renderGraphiQL({ defaultVariables: { id: 'cus_0001' } }).respond().html);
    expect(settings.defaultQuery).toContain(CUSTOMER_360_QUERY);
    expect(JSON.parse(settings.defaultVariables)).toEqual({ id: 'cus_0001' });
    expect(settings.endpoint).toBe('graphql');
  });

  it('keeps settings that contain </script> inside their JSON block', () => {
    const html = renderGraphiQL({ defaultQuery: '# </script><script>alert(1)</script>\n{ __typename }', title: '<b>x</b>' }).respond().html;
    expect(settingsOf(html).defaultQuery).toBe('# </script><script>alert(1)</script>\n{ __typename }');
    expect(html).toContain('<title>&#60;b&#62;x&#60;/b&#62;</title>');
  });
});

describe('GraphiQL asset files served from memory', () => {
  let server: Server;
  let base: string;
  let page: GraphiQLPage;
  const [css, react, , graphiqlJs] = loadGraphiQLAssets();

  beforeAll(async () => {
    page = renderGraphiQL();
    server = createServer((request, response) => {
      if (!page.serveAsset(request, response, request.url!)) {
        response.writeHead(404);
        response.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers each file with its content type, a year of immutable caching and the installed bytes', async () => {
    const response = await fetch(base + react.path, { headers: { 'accept-encoding': 'identity' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const body = Buffer.from(await response.arrayBuffer());
    expect(body.equals(readFileSync(new URL('../../node_modules/react/umd/react.production.min.js', import.meta.url)))).toBe(true);
    const style = await fetch(base + css.path);
    expect(style.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('matches the SRI hash the page declares', () => {
    expect(graphiqlJs.integrity).toBe(`sha384-${createHash('sha384').update(graphiqlJs.body).digest('base64')}`);
    expect(page.respond().html).toContain(`integrity="${graphiqlJs.integrity}"`);
  });

  it('sends gzip to browsers that accept it, and nothing but headers for HEAD', async () => {
    const { request } = await import('node:http');
    const gz = await new Promise<{ encoding?: string; body: Buffer }>((resolve, reject) => {
      request(base + graphiqlJs.path, { headers: { 'accept-encoding': 'gzip, deflate, br' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c)).on('end', () => resolve({ encoding: res.headers['content-encoding'], body: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(gz.encoding).toBe('gzip');
    expect(gz.body.length).toBeLessThan(graphiqlJs.body.length / 2);
    expect(gunzipSync(gz.body).equals(graphiqlJs.body)).toBe(true);

    const head = await fetch(base + react.path, { method: 'HEAD', headers: { 'accept-encoding': 'identity' } });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(react.body.length));
    expect(await head.text()).toBe('');
  });

  it('answers 304 to a browser revalidating its copy', async () => {
    const response = await fetch(base + react.path, { headers: { 'if-none-match': react.etag } });
    expect(response.status).toBe(304);
  });

  it('declines paths that are not an asset of the installed versions (the gateway answers 404)', async () => {
    for (const path of [`${GRAPHIQL_ASSET_PREFIX}graphiql@0.0.1/graphiql.min.js`, `${GRAPHIQL_ASSET_PREFIX}../package.json`, `${graphiqlJs.path}.map`]) {
      expect((await fetch(base + path)).status, path).toBe(404);
    }
    expect((await fetch(base + react.path, { method: 'POST' })).status).toBe(404);
  });
});
