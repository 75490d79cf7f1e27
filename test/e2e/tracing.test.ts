import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseTargets, type TestDatabase } from '../support/databases.js';
import { postGraphQL } from '../support/graphql.js';
import { attribute, SPAN_KIND_CLIENT, SPAN_KIND_SERVER, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../support/otlpReceiver.js';
import { startTestStack, type TestStack } from '../support/stack.js';
import { showcaseMasterId } from './groundTruth.js';

const customer360 = readFileSync(new URL('./customer360.graphql', import.meta.url), 'utf8');
// One database is enough to show the trace; the real PostgreSQL server when there is one (CI), else PGlite.
const targets = await databaseTargets();
const target = targets.find((t) => t.name === 'postgres' && !t.unavailable) ?? targets[0];

const SUBGRAPH_SERVICES = ['concord-subgraph-erp', 'concord-subgraph-crm', 'concord-subgraph-mdm'];
const JWT = /eyJ[\w-]+\.[\w-]+\.[\w-]+/;

describe(`distributed tracing end to end over OTLP/HTTP (${target.name})`, () => {
  let receiver: OtlpReceiver;
  let database: TestDatabase;
  let stack: TestStack;

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    database = await target.create();
    stack = await startTestStack({ databaseUrl: database.url, companies: 150, env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url } });
  });

  afterAll(async () => {
    await stack?.stop();
    await database?.drop();
    await receiver?.close();
  });

  it("continues the frontend's trace through the gateway into every subgraph and down to SQL and CRM calls, without secrets or variables", async () => {
    const id = await showcaseMasterId(stack.pool);
    await stack.flushTraces();
    receiver.clear();

    const frontendTraceId = randomBytes(16).toString('hex');
    const frontendSpanId = randomBytes(8).toString('hex');
    const auth = stack.headersFor('demo-admin');
    const { status, body } = await postGraphQL(stack.gatewayUrl, customer360, { id }, { ...auth, traceparent: `00-${frontendTraceId}-${frontendSpanId}-01` });
    expect(status).toBe(200);
    expect(body.errors).toBeUndefined();
    await stack.flushTraces();

    const spans = receiver.spans;
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const ofService = (service: string) => spans.filter((s) => s.service === service);
    const gateway = ofService('concord-gateway');

    // Every span of all four services is in the frontend's trace.
    expect(new Set(spans.map((s) => s.service))).toEqual(new Set(['concord-gateway', ...SUBGRAPH_SERVICES]));
    expect(spans.filter((s) => s.traceId !== frontendTraceId)).toEqual([]);

    // The gateway's server span is the frontend span's child; Apollo's spans hang beneath it.
    const gatewayServer = gateway.filter((s) => s.kind === SPAN_KIND_SERVER);
    expect(gatewayServer.map((s) => [s.name, s.parentSpanId])).toEqual([['POST /graphql', frontendSpanId]]);
    expect(attribute(gatewayServer[0], 'graphql.operation.name')).toBe('Customer360');
    expect(attribute(gatewayServer[0], 'graphql.operation.type')).toBe('query');
    expect(attribute(gatewayServer[0], 'http.response.status_code')).toBe(200);
    const request = gateway.find((s) => s.name === 'gateway.request')!;
    expect(request.parentSpanId).toBe(gatewayServer[0].spanId);
    // Apollo's own spans, used as they are (gateway.plan only when the plan is not cached yet).
    const apolloSpans = ['gateway.request', 'gateway.validate', 'gateway.plan', 'gateway.execute', 'gateway.fetch', 'gateway.postprocessing'];
    const gatewayNames = new Set(gateway.map((s) => s.name));
    expect([...gatewayNames].filter((name) => name !== 'POST /graphql' && !apolloSpans.includes(name))).toEqual([]);
    expect([...gatewayNames]).toEqual(expect.arrayContaining(['gateway.request', 'gateway.validate', 'gateway.execute', 'gateway.fetch']));

    // Each subgraph's server spans are children of the gateway's fetch spans.
    const fetchIds = new Set(gateway.filter((s) => s.name === 'gateway.fetch').map((s) => s.spanId));
    for (const service of SUBGRAPH_SERVICES) {
      const servers = ofService(service).filter((s) => s.kind === SPAN_KIND_SERVER);
      expect(servers.length, service).toBeGreaterThan(0);
      for (const server of servers) expect(fetchIds.has(server.parentSpanId), `${service} ${server.name}`).toBe(true);
    }

    // Source access: SQL statements under the ERP subgraph, HubSpot calls under the CRM subgraph.
    const underService = (span: ReceivedSpan) => byId.get(span.parentSpanId)?.service;
    const erpSql = ofService('concord-subgraph-erp').filter((s) => attribute(s, 'db.system') === 'postgresql');
    expect(erpSql.length).toBeGreaterThan(0);
    for (const sql of erpSql) {
      expect(sql.kind).toBe(SPAN_KIND_CLIENT);
      expect(underService(sql)).toBe('concord-subgraph-erp');
      expect(attribute(sql, 'db.query.text')).toMatch(/^\s*(SELECT|WITH)\b/i);
    }
    const crmCalls = ofService('concord-subgraph-crm').filter((s) => s.kind === SPAN_KIND_CLIENT && attribute(s, 'http.request.method'));
    expect(crmCalls.length).toBeGreaterThan(0);
    for (const call of crmCalls) {
      expect(underService(call)).toBe('concord-subgraph-crm');
      expect(attribute(call, 'url.path')).toMatch(/^\/crm\/v[34]\/[^?]*$/);
      expect(attribute(call, 'http.response.status_code')).toEqual(expect.any(Number));
    }

    // Nothing sensitive in any attribute: not the caller's bearer token, no JWT at all (the
    // gateway's proof is one), not the CRM's private-app token, not the variable's value.
    const serialized = JSON.stringify(spans.map((s) => s.attributes));
    const bearer = auth.authorization.replace(/^Bearer /, '');
    expect(serialized).not.toContain(bearer);
    expect(serialized).not.toMatch(JWT);
    expect(serialized).not.toContain('pat-concord-sandbox');
    expect(serialized).not.toContain(id);
    expect(serialized).not.toMatch(/authorization|x-concord-gateway-proof/i);
  });
});
