import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILES, PROTECTED_FIELDS, compareMatrixWithRules, expectedMatrix, extractAuthorizationRules, principalOfProfile, type ProfileName } from '../../gateway/authorization/index.js';
import { composeSupergraphFromSubgraphs } from '../../gateway/supergraph/compose.js';
import { GATEWAY_PROOF_HEADER, signProofFor } from '../../platform/auth/gatewayProof.js';
import { postGraphQL, type GraphQLResult } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { masked, probesFor, type Probe, type Samples } from './probes.js';

/**
 * The role × field matrix of ADR 0003 / docs/scope-matrix.md, checked over
 * the real stack: for each profile and each protected coordinate, through the
 * gateway and straight against the subgraph that declares it (with a gateway
 * proof for that profile), the value is given in clear, masked, or null with
 * UNAUTHORIZED_FIELD_OR_TYPE — as `expectedMatrix()` (the README's table) says.
 */
const UNAUTHORIZED = 'UNAUTHORIZED_FIELD_OR_TYPE';
const profiles = Object.keys(PROFILES) as ProfileName[];
const matrix = expectedMatrix();

let stack: TestStack;
let samples: Samples;
let probes: ReturnType<typeof probesFor>;
const proofs = new Map<ProfileName, string>();
/** The admin's answers: every cell is compared with them. */
const clear = new Map<string, { gateway: unknown; direct?: unknown }>();

function headersOf(profile: ProfileName): Record<string, string> {
  return profile === 'anonymous' ? {} : stack.headersFor(`demo-${profile}`);
}

function viaGateway(probe: Probe, profile: ProfileName): Promise<GraphQLResult> {
  return postGraphQL(stack.gatewayUrl, probe.query, probe.variables ?? {}, headersOf(profile));
}

function direct(subgraph: 'erp' | 'crm' | 'mdm' | 'quality', probe: Probe, headers: Record<string, string>): Promise<GraphQLResult> {
  return postGraphQL(stack.urls[subgraph], probe.query, probe.variables ?? {}, headers);
}

function unauthorizedErrors(result: GraphQLResult) {
  return (result.body.errors ?? []).filter((e) => e.extensions?.code === UNAUTHORIZED);
}

beforeAll(async () => {
  stack = await startTestStack({ companies: 60, env: { BATCHING_ENABLED: 'true' } });
  for (const profile of profiles) proofs.set(profile, await signProofFor(principalOfProfile(profile), stack.gatewayProofKey, 3600));
  // Samples: a customer with as much as possible filled in, a product with stock.
  const admin = stack.headersFor('demo-admin');
  const { body } = await postGraphQL(
    stack.gatewayUrl,
    `{ customers(first: 30) { nodes { id taxId primaryEmail phone creditLimit erpPartnerIds crmCompanyIds
         invoices { number } overdueInvoices { number } orders(last: 1) { number } contacts { name email phone } deals { id } tickets { id } } } }`,
    {},
    admin,
  );
  expect(body.errors).toBeUndefined();
  const score = (c: any) =>
    [c.taxId, c.primaryEmail, c.phone, c.creditLimit].filter((v) => v !== null).length +
    [c.invoices, c.overdueInvoices, c.orders, c.contacts, c.deals, c.tickets].filter((l) => l?.length).length +
    (c.contacts ?? []).filter((x: any) => x.email && x.phone && x.name).length;
  const best = [...body.data.customers.nodes].sort((a, b) => score(b) - score(a))[0];
  const products = await postGraphQL(stack.gatewayUrl, '{ products(first: 40) { nodes { id sku stock { onHand } } } }', {}, admin);
  const product = products.body.data.products.nodes.find((p: any) => p.stock !== null) ?? products.body.data.products.nodes[0];
  const findingOf = async (kind: string) => {
    const found = await postGraphQL(stack.gatewayUrl, `{ findings(filter: { kinds: [${kind}] }, first: 1) { nodes { id } } }`, {}, admin);
    expect(found.body.errors).toBeUndefined();
    return found.body.data.findings.nodes[0].id as string;
  };
  samples = {
    customerId: best.id, erpPartnerIds: best.erpPartnerIds, crmCompanyIds: best.crmCompanyIds, productSku: product.sku, productId: product.id,
    mismatchFindingId: await findingOf('MONTHLY_TOTAL_MISMATCH'), conflictFindingId: await findingOf('ATTRIBUTE_CONFLICT'),
  };
  probes = probesFor(samples);
  for (const [coordinate, probe] of Object.entries(probes)) {
    const gateway = await viaGateway(probe.gateway, 'admin');
    const answer: { gateway: unknown; direct?: unknown } = { gateway: probe.gateway.pick(gateway.body.data) };
    if (!probe.gateway.mutation) expect(gateway.body.errors, `${coordinate} for admin`).toBeUndefined();
    if (probe.direct) answer.direct = probe.direct.pick((await direct(probe.direct.subgraph, probe.direct, { [GATEWAY_PROOF_HEADER]: proofs.get('admin')! })).body.data);
    clear.set(coordinate, answer);
  }
}, 180_000);

afterAll(async () => {
  await stack?.stop();
});

describe('the matrix and the SDL', () => {
  it('has a probe for every protected coordinate', () => {
    expect(PROTECTED_FIELDS.map((f) => f.coordinate).filter((c) => !probes[c])).toEqual([]);
  });

  it('is exactly what the composed supergraph of the running subgraphs declares', async () => {
    const supergraph = await composeSupergraphFromSubgraphs(
      (['erp', 'crm', 'mdm', 'quality'] as const).map((name) => ({ name, url: stack.urls[name] })),
      { prepareHeaders: (_name, headers) => void (headers[GATEWAY_PROOF_HEADER] = proofs.get('anonymous')!) },
    );
    expect(compareMatrixWithRules(extractAuthorizationRules(supergraph))).toEqual([]);
  });

  it('has sample data that makes the PII and finance cells meaningful', () => {
    for (const coordinate of [
      'Customer.taxId', 'Customer.primaryEmail', 'Customer.phone', 'Contact.name', 'Contact.email', 'Customer.invoices', 'Customer.deals', 'Customer.tickets',
      'Finding.amounts', 'FindingRecord.amount', 'MonthlyMismatch.totals', 'FindingRecord.value', 'AttributeConflict.values', 'AttributeConflict.survivor',
    ]) {
      const value = clear.get(coordinate)!.gateway;
      expect(value, coordinate).not.toBeNull();
      expect(Array.isArray(value) ? value.length : 1, coordinate).toBeGreaterThan(0);
    }
  });
});

/** Asserts one cell: clear = the admin's value, masked = the admin's value masked, denied = null with UNAUTHORIZED_FIELD_OR_TYPE. */
function expectCell(coordinate: string, access: string, result: GraphQLResult, probe: Probe, adminValue: unknown) {
  const value = probe.pick(result.body.data);
  const refused = unauthorizedErrors(result);
  if (access === 'denied') {
    expect(refused.length, `${coordinate}: an ${UNAUTHORIZED} error`).toBeGreaterThan(0);
    expect(value ?? null, `${coordinate}: null`).toBeNull();
    return;
  }
  expect(refused, `${coordinate}: no authorization error`).toEqual([]);
  if (probe.mutation) return;
  expect(value, coordinate).toEqual(access === 'masked' ? masked(coordinate, adminValue) : adminValue);
  if (access === 'masked') expect(value, `${coordinate}: differs from the clear value`).not.toEqual(adminValue);
}

describe.each(profiles)('as %s', (profile) => {
  const coordinates = PROTECTED_FIELDS.map((f) => f.coordinate);

  it.each(coordinates)('through the gateway, %s is as the matrix says', async (coordinate) => {
    const probe = probes[coordinate].gateway;
    const result = await viaGateway(probe, profile);
    expect(result.status).toBe(200);
    expectCell(coordinate, matrix[profile][coordinate], result, probe, clear.get(coordinate)!.gateway);
  });

  it.each(coordinates.filter((c) => !/^[A-Z]\w*$/.test(c) || c === 'Customer'))(
    'straight to its subgraph with a proof, %s is as the matrix says',
    async (coordinate) => {
      const probe = probes[coordinate].direct!;
      const result = await direct(probe.subgraph, probe, { [GATEWAY_PROOF_HEADER]: proofs.get(profile)! });
      expect(result.status).toBe(200);
      expectCell(coordinate, matrix[profile][coordinate], result, probe, clear.get(coordinate)!.direct);
    },
  );
});

/**
 * The same cells again with the entity cache warm (issue 14): the stack's
 * gateway caches golden records per scope set, and by now every profile's
 * answers — and the admin's clear ones — are in it. No profile may get
 * another's entries: masking and denials hold when the answer comes from the cache.
 */
describe.each(profiles)('as %s, answered again with the entity cache warm', (profile) => {
  const coordinates = PROTECTED_FIELDS.map((f) => f.coordinate);

  it.each(coordinates)('through the gateway, %s is as the matrix says', async (coordinate) => {
    const probe = probes[coordinate].gateway;
    const result = await viaGateway(probe, profile);
    expect(result.status).toBe(200);
    expectCell(coordinate, matrix[profile][coordinate], result, probe, clear.get(coordinate)!.gateway);
  });
});

describe('the entity cache during the matrix', () => {
  it('was on and answered golden records from its entries', async () => {
    const metrics = await (await request(new URL('/metrics', stack.gatewayUrl))).body.text();
    const hits = [...metrics.matchAll(/^concord_gateway_entity_cache_lookups_total\{subgraph="mdm",[^}]*result="hit"\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(hits).toBeGreaterThan(0);
  });
});

describe('a subgraph called without the gateway', () => {
  it.each(['erp', 'crm', 'mdm'] as const)('%s answers 401 to _entities, _service and root fields without a proof, and to a forged one', async (subgraph) => {
    const customer = probes.Customer.direct!;
    for (const body of [
      { query: customer.query, variables: { representations: [{ __typename: 'Customer', id: samples.customerId }] } },
      { query: '{ _service { sdl } }' },
    ]) {
      const response = await request(stack.urls[subgraph], { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.statusCode).toBe(401);
      expect(((await response.body.json()) as any).errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'GATEWAY_PROOF_MISSING' });
    }
    const forged = await direct(subgraph, customer, { [GATEWAY_PROOF_HEADER]: stack.headersFor('demo-admin').authorization.slice('Bearer '.length) });
    expect(forged.status).toBe(401);
    expect(forged.body.errors?.[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'GATEWAY_PROOF_INVALID' });
  });
});

describe('no way around the rules', () => {
  it('refuses _entities through the gateway: it is not part of the API', async () => {
    const { status, body } = await postGraphQL(stack.gatewayUrl, probes['Customer.creditLimit'].direct!.query, probes['Customer.creditLimit'].direct!.variables, stack.headersFor('demo-sales'));
    expect(status).toBe(400);
    expect(body.errors?.[0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('gives no more through aliases: every alias of a denied field is null, every alias of a PII field masked', async () => {
    const query = `query Aliased($id: ID!) {
      a: customer(id: $id) { x: creditLimit y: taxId z: primaryEmail }
      b: customer(id: $id) { credit: creditLimit tax: taxId }
    }`;
    const { body } = await postGraphQL(stack.gatewayUrl, query, { id: samples.customerId }, stack.headersFor('demo-sales'));
    expect(body.data.a.x).toBeNull();
    expect(body.data.b.credit).toBeNull();
    expect(unauthorizedErrors({ status: 200, body }).map((e) => e.path)).toEqual(expect.arrayContaining([['a', 'x'], ['b', 'credit']]));
    const analyst = await postGraphQL(stack.gatewayUrl, query, { id: samples.customerId }, stack.headersFor('demo-analyst'));
    const tax = clear.get('Customer.taxId')!.gateway;
    expect([analyst.body.data.a.y, analyst.body.data.b.tax]).toEqual([masked('Customer.taxId', tax), masked('Customer.taxId', tax)]);
    expect(analyst.body.data.a.z).toBe(masked('Customer.primaryEmail', clear.get('Customer.primaryEmail')!.gateway));
  });

  it('gives no more through aliases sent straight to a subgraph', async () => {
    const selection = 'a: creditLimit b: openBalance c: invoices { number }';
    const withVariables = await postGraphQL(
      stack.urls.erp,
      `query P($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { ${selection} } } }`,
      { r: [{ __typename: 'Customer', id: samples.customerId, erpPartnerIds: samples.erpPartnerIds }] },
      { [GATEWAY_PROOF_HEADER]: proofs.get('sales')! },
    );
    expect(withVariables.body.data?._entities).toEqual([{ a: null, b: null, c: null }]);
    expect(unauthorizedErrors(withVariables).map((e) => e.path)).toEqual([
      ['_entities', 0, 'a'],
      ['_entities', 0, 'b'],
      ['_entities', 0, 'c'],
    ]);
  });

  it('gives no more through batching: each operation of a batch is authorized on its own', async () => {
    const credit = probes['Customer.creditLimit'].gateway;
    const tax = probes['Customer.taxId'].gateway;
    const batch = [
      { query: credit.query, variables: credit.variables },
      { query: tax.query, variables: tax.variables },
    ];
    const send = async (user: string) => {
      const response = await request(stack.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...stack.headersFor(user) }, body: JSON.stringify(batch) });
      expect(response.statusCode).toBe(200);
      return (await response.body.json()) as any[];
    };
    const [salesCredit, salesTax] = await send('demo-sales');
    expect(salesCredit.data.customer.creditLimit).toBeNull();
    expect(salesCredit.errors[0].extensions.code).toBe(UNAUTHORIZED);
    expect(salesTax.data.customer.taxId).toBe(clear.get('Customer.taxId')!.gateway);
    const [analystCredit, analystTax] = await send('demo-analyst');
    expect(analystCredit.data.customer.creditLimit).toBe(clear.get('Customer.creditLimit')!.gateway);
    expect(analystTax.data.customer.taxId).toBe(masked('Customer.taxId', clear.get('Customer.taxId')!.gateway));
  });

  it('refuses a batch of 100 operations with MAX_BATCH_SIZE_EXCEEDED before running any', async () => {
    const response = await request(stack.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...stack.headersFor('demo-admin') },
      body: JSON.stringify(Array.from({ length: 100 }, () => ({ query: '{ __typename }' }))),
    });
    expect(response.statusCode).toBe(400);
    expect(((await response.body.json()) as any).errors[0].extensions).toMatchObject({ code: 'MAX_BATCH_SIZE_EXCEEDED', limit: 10, actual: 100 });
  });
});
