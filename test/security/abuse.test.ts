import { readFile } from 'node:fs/promises';
import { SignJWT, base64url, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFieldReads } from '../../gateway/audit/auditLog.js';
import { loadDemoIssuer } from '../../gateway/auth/demoIssuer.js';
import { maskValue } from '../../platform/auth/masks.js';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * Misuse of the gateway over the real stack: abusive operations refused with
 * their code before any subgraph is called while normal traffic keeps being
 * answered, bad tokens refused with a reason, CSRF, and the audit log of
 * PII reads.
 */
let stack: TestStack;
let customerId: string;

async function raw(body: string, headers: Record<string, string> = {}) {
  const started = performance.now();
  const response = await request(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const json = (await response.body.json()) as any;
  return { status: response.statusCode, body: json, ms: performance.now() - started };
}

beforeAll(async () => {
  stack = await startTestStack({ companies: 40 });
  const { body } = await postGraphQL(stack.gatewayUrl, '{ customers(first: 30) { nodes { id taxId primaryEmail } } }', {}, stack.headersFor('demo-admin'));
  customerId = body.data.customers.nodes.find((c: any) => c.taxId && c.primaryEmail).id;
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

describe('abuse limits', () => {
  const admin = () => stack.headersFor('demo-admin');
  const abusive: Array<[string, string, number, () => string]> = [
    ['a 200-deep query', 'MAX_DEPTH_EXCEEDED', 400,
      () => JSON.stringify({ query: `{ customer(id: "1") { ${'address { '.repeat(199)}city${' }'.repeat(199)} } }` })],
    ['1,000 aliases (of __typename)', 'MAX_ALIASES_EXCEEDED', 400,
      () => JSON.stringify({ query: `{ ${Array.from({ length: 1000 }, (_, i) => `t${i}: __typename`).join(' ')} }` })],
    ['a 1 MB query', 'BODY_TOO_LARGE', 413,
      () => JSON.stringify({ query: `{ ${'customer(id: "1") { id } '.repeat(45_000)} }` })],
    ['6,000 tokens under the body limit', 'MAX_TOKENS_EXCEEDED', 400,
      () => JSON.stringify({ query: `{ customer(id: "1") { ${'id '.repeat(6_000)} } }` })],
    ['100 batched operations (batching off)', 'BATCHING_DISABLED', 400,
      () => JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' })))],
    ['a cost bomb (first: 100000 nested three deep)', 'MAX_COST_EXCEEDED', 400,
      () => JSON.stringify({ query: '{ customers(first: 100000) { nodes { orders(last: 100000) { lines { product { stock { onHand } } } } contacts { name } } } }' })],
  ];

  it.each(abusive)('refuses %s fast with %s', async (_what, code, status, body) => {
    const text = body();
    if (code === 'BODY_TOO_LARGE') expect(text.length).toBeGreaterThan(1_000_000);
    stack.resetSourceRequests();
    const answer = await raw(text, admin());
    expect(answer.status).toBe(status);
    expect(answer.body.errors[0].extensions.code).toBe(code);
    expect(answer.body.errors[0].extensions.http).toBeUndefined();
    expect(answer.ms).toBeLessThan(1_000);
    expect(stack.sourceRequests).toEqual([]);
  });

  it('keeps answering normal queries while all of them arrive at once', async () => {
    const normal = () => postGraphQL(stack.gatewayUrl, 'query Normal($id: ID!) { customer(id: $id) { id name openBalance } }', { id: customerId }, admin());
    const results = await Promise.all([
      ...abusive.flatMap(([, , , body]) => [raw(body(), admin()), raw(body(), admin())]),
      ...Array.from({ length: 20 }, normal),
    ]);
    const normals = results.slice(abusive.length * 2) as Awaited<ReturnType<typeof normal>>[];
    for (const answer of normals) {
      expect(answer.status).toBe(200);
      expect(answer.body.errors).toBeUndefined();
      expect(answer.body.data.customer.id).toBe(customerId);
    }
    const refused = results.slice(0, abusive.length * 2) as Awaited<ReturnType<typeof raw>>[];
    expect(refused.map((r) => r.body.errors[0].extensions.code)).toEqual(abusive.flatMap(([, code]) => [code, code]));
  });
});

describe('bearer tokens at the gateway', () => {
  const query = '{ __typename }';
  async function signed(claims: Record<string, unknown>, header: Record<string, unknown> = {}, key?: { jwk: JWK }) {
    const { keys } = JSON.parse(await readFile(stack.demoKeyFile, 'utf8')) as { keys: JWK[] };
    const jwk = key?.jwk ?? keys[0];
    const now = Math.floor(Date.now() / 1000);
    const payload = { scope: 'customers:read', iss: stack.issuer.issuer, aud: stack.issuer.audience, sub: 'mallory', iat: now, exp: now + 300, ...claims };
    return new SignJWT(payload).setProtectedHeader({ alg: 'ES256', kid: jwk.kid, ...header }).sign(await importJWK(jwk, 'ES256'));
  }
  async function refusedWith(token: string) {
    const { status, body } = await postGraphQL(stack.gatewayUrl, query, {}, { authorization: `Bearer ${token}` });
    expect(status).toBe(401);
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHENTICATED');
    expect(body.data).toBeUndefined();
    return body.errors![0].extensions!.reason as string;
  }

  it('treats no token as anonymous and a valid demo token as its user', async () => {
    expect((await postGraphQL(stack.gatewayUrl, query)).status).toBe(200);
    expect((await postGraphQL(stack.gatewayUrl, query, {}, stack.headersFor('demo-analyst'))).status).toBe(200);
  });

  it('refuses alg none, HS256 signed with the public key, and a tampered payload', async () => {
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify({ sub: 'mallory', scope: 'audit:read', iss: stack.issuer.issuer, aud: stack.issuer.audience, exp: 9_999_999_999 }))}.`;
    expect(await refusedWith(none)).toBe('INVALID_TOKEN');
    const publicJwk = JSON.stringify(stack.issuer.jwks.keys[0]);
    const hs = await new SignJWT({ scope: 'audit:read' }).setProtectedHeader({ alg: 'HS256', kid: stack.issuer.jwks.keys[0].kid })
      .setIssuer(stack.issuer.issuer).setAudience(stack.issuer.audience).setSubject('mallory').setExpirationTime('5m').sign(new TextEncoder().encode(publicJwk));
    expect(await refusedWith(hs)).toBe('INVALID_TOKEN');
    const [header, , signature] = stack.headersFor('demo-analyst').authorization.slice(7).split('.');
    const payload = base64url.encode(JSON.stringify({ sub: 'demo-analyst', scope: 'pii:read audit:read', iss: stack.issuer.issuer, aud: stack.issuer.audience, exp: 9_999_999_999 }));
    expect(await refusedWith(`${header}.${payload}.${signature}`)).toBe('INVALID_TOKEN');
  });

  it('refuses expired, not yet valid, wrong issuer, wrong audience and unknown-key tokens, each with its reason', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect(await refusedWith(await signed({ exp: now - 120 }))).toBe('TOKEN_EXPIRED');
    expect(await refusedWith(await signed({ nbf: now + 600 }))).toBe('TOKEN_NOT_YET_VALID');
    expect(await refusedWith(await signed({ iss: 'https://evil.example/' }))).toBe('INVALID_ISSUER');
    expect(await refusedWith(await signed({ aud: 'someone-else' }))).toBe('INVALID_AUDIENCE');
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    expect(await refusedWith(await signed({}, {}, { jwk: { ...(await exportJWK(privateKey)), kid: 'not-ours' } }))).toBe('UNKNOWN_KEY');
  });

  it('says why in WWW-Authenticate and refuses a header that is not a bearer', async () => {
    const response = await request(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Basic YWxpY2U6cw==' }, body: JSON.stringify({ query }) });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="concord", error="invalid_token"/);
    expect(((await response.body.json()) as any).errors[0].extensions.reason).toBe('INVALID_AUTHORIZATION_HEADER');
  });

  it('serves the demo issuer JWKS (public keys only) at /.well-known/jwks.json', async () => {
    const response = await request(stack.gatewayUrl.replace('/graphql', '/.well-known/jwks.json'));
    const jwks = (await response.body.json()) as { keys: JWK[] };
    expect(jwks).toEqual(stack.issuer.jwks);
    expect(JSON.stringify(jwks)).not.toContain('"d"');
    // A different issuer instance on the same key file shares the key: the token command and the gateway agree.
    const other = await loadDemoIssuer({ keyFile: stack.demoKeyFile, issuer: stack.issuer.issuer, audience: stack.issuer.audience });
    const token = await other.issueToken({ user: 'demo-support' });
    expect((await postGraphQL(stack.gatewayUrl, query, {}, { authorization: `Bearer ${token}` })).status).toBe(200);
  });
});

describe('CSRF prevention', () => {
  it('refuses a GET or a text/plain POST without a preflight header, before any work', async () => {
    const get = await request(`${stack.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { accept: 'application/json' } });
    expect(get.statusCode).toBe(400);
    expect(((await get.body.json()) as any).errors[0].extensions.code).toBe('CSRF_BLOCKED');
    const plain = await request(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(plain.statusCode).toBe(400);
    expect(((await plain.body.json()) as any).errors[0].extensions.code).toBe('CSRF_BLOCKED');
  });

  it('runs a GET query with the preflight header, but never with variables, nor a mutation', async () => {
    const url = (params: Record<string, string>) => `${stack.gatewayUrl}?${new URLSearchParams(params)}`;
    const headers = { accept: 'application/json', 'apollo-require-preflight': 'true' };
    const ok = await request(url({ query: '{ __typename }' }), { headers });
    expect(ok.statusCode).toBe(200);
    await ok.body.dump();
    const variables = await request(url({ query: 'query($id: ID!) { customer(id: $id) { id } }', variables: JSON.stringify({ id: customerId }) }), { headers });
    expect(variables.statusCode).toBe(400);
    expect(((await variables.body.json()) as any).errors[0].extensions.code).toBe('VARIABLES_IN_GET_REFUSED');
    const mutation = await request(url({ query: 'mutation { undoHistoryEvent(eventId: "1") { replayed } }' }), { headers: { ...headers, ...stack.headersFor('demo-admin') } });
    expect(mutation.statusCode).toBe(405);
    await mutation.body.dump();
  });
});

describe('the audit log', () => {
  async function readsOf(subject: string, operationName: string) {
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const rows = (await listFieldReads(stack.pool, { subject })).filter((row) => row.operationName === operationName);
      if (rows.length) return rows;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return [];
  }

  it('records a PII read in clear with its subject, operation, fields and entity', async () => {
    const query = 'query AuditClear($id: ID!) { customer(id: $id) { name taxId primaryEmail } }';
    const { body } = await postGraphQL(stack.gatewayUrl, query, { id: customerId }, stack.headersFor('demo-finance'));
    expect(body.errors).toBeUndefined();
    const [row] = await readsOf('demo-finance', 'AuditClear');
    expect(row).toMatchObject({ subject: 'demo-finance', fields: ['Customer.primaryEmail', 'Customer.taxId'], entityIds: [customerId], masked: false });
    expect(row.operationHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('records that a read without pii:read was masked, and the answer is masked', async () => {
    const query = 'query AuditMasked($id: ID!) { customer(id: $id) { taxId creditLimit } }';
    const clear = await postGraphQL(stack.gatewayUrl, query, { id: customerId }, stack.headersFor('demo-admin'));
    const { body } = await postGraphQL(stack.gatewayUrl, query, { id: customerId }, stack.headersFor('demo-analyst'));
    expect(body.data.customer.taxId).toBe(maskValue('TAX_ID', clear.body.data.customer.taxId));
    const [row] = await readsOf('demo-analyst', 'AuditMasked');
    expect(row).toMatchObject({ subject: 'demo-analyst', fields: expect.arrayContaining(['Customer.taxId']), entityIds: [customerId], masked: true });
  });

  it('lists the log at GET /audit for audit:read only', async () => {
    const url = `${stack.gatewayUrl.replace('/graphql', '/audit')}?subject=demo-finance&limit=5`;
    const admin = await request(url, { headers: stack.headersFor('demo-admin') });
    expect(admin.statusCode).toBe(200);
    const listing = (await admin.body.json()) as any;
    expect(listing.entries[0]).toMatchObject({ subject: 'demo-finance', operationName: 'AuditClear' });
    const analyst = await request(url, { headers: stack.headersFor('demo-analyst') });
    expect(analyst.statusCode).toBe(403);
    await analyst.body.dump();
    const anonymous = await request(url);
    expect(anonymous.statusCode).toBe(401);
    await anonymous.body.dump();
  });
});
