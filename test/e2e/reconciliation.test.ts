import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postGraphQL } from '../support/graphql.js';
import { startTestStack, type TestStack } from '../support/stack.js';

/**
 * The reconciliation through the gateway, as the console uses it: the
 * stack's start-up run, findings filtered and paged, the scopes on money and
 * disputed values, and the coded refusals of acknowledging and resolving.
 */
let stack: TestStack;

const gql = (user: string, query: string, variables: Record<string, unknown> = {}) => postGraphQL(stack.gatewayUrl, query, variables, stack.headersFor(user));

beforeAll(async () => {
  stack = await startTestStack({ companies: 150 });
});

afterAll(async () => {
  await stack?.stop();
});

describe('reconciliation in the graph', () => {
  it('has run every job at start, and its tiles equal the seed truth per kind', async () => {
    const { body } = await gql('demo-finance', '{ reconciliationSummary { kinds { kind open total } latestRuns { job status } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.reconciliationSummary.latestRuns.map((r: any) => [r.job, r.status]).sort()).toEqual([
      ['ATTRIBUTES', 'succeeded'], ['COVERAGE', 'succeeded'], ['ORDERS_INVOICES', 'succeeded'], ['QUALITY_PROFILE', 'succeeded'],
    ]);
    const truth = await stack.pool.query<{ kind: string; n: number }>('SELECT upper(kind) AS kind, count(*)::int AS n FROM truth.recon_finding GROUP BY kind');
    const tiles = Object.fromEntries(body.data.reconciliationSummary.kinds.filter((k: any) => k.total > 0).map((k: any) => [k.kind, k.total]));
    expect(tiles).toEqual(Object.fromEntries(truth.rows.map((r) => [r.kind, r.n])));
  });

  it('filters and pages the findings table', async () => {
    const all = await gql('demo-finance', '{ findings(first: 1) { totalCount } }');
    const deals = await gql('demo-finance', '{ findings(filter: { kinds: [DEAL_WON_WITHOUT_ERP_SALE] }, first: 10) { totalCount hasNextPage endCursor nodes { id kind records { system type } } } }');
    expect(deals.body.errors).toBeUndefined();
    const page = deals.body.data.findings;
    expect(page.totalCount).toBeGreaterThan(0);
    expect(page.totalCount).toBeLessThan(all.body.data.findings.totalCount);
    expect(new Set(page.nodes.map((n: any) => n.kind))).toEqual(new Set(['DEAL_WON_WITHOUT_ERP_SALE']));
    expect(page.nodes[0].records.some((r: any) => r.system === 'crm' && r.type === 'deals')).toBe(true);
    if (page.hasNextPage) {
      const next = await gql('demo-finance', 'query($after: String) { findings(filter: { kinds: [DEAL_WON_WITHOUT_ERP_SALE] }, first: 10, after: $after) { nodes { id } } }', { after: page.endCursor });
      const ids = new Set(page.nodes.map((n: any) => n.id));
      expect(next.body.data.findings.nodes.every((n: any) => !ids.has(n.id))).toBe(true);
    }
  });

  it('shows amounts to finance readers only; a steward gets the finding with its amounts refused', async () => {
    const query = '{ findings(filter: { kinds: [MONTHLY_TOTAL_MISMATCH] }, first: 1) { nodes { id summary amounts { crm erp difference } records { id amount } } } }';
    const finance = await gql('demo-finance', query);
    expect(finance.body.errors).toBeUndefined();
    const node = finance.body.data.findings.nodes[0];
    expect(node.amounts.difference).toBeCloseTo(node.amounts.crm - node.amounts.erp, 2);
    const steward = await gql('demo-steward', query);
    const stewardNode = steward.body.data.findings.nodes[0];
    expect(stewardNode.id).toBe(node.id);
    expect(stewardNode.amounts).toBeNull();
    expect(stewardNode.records.every((r: any) => r.amount === null)).toBe(true);
    expect(steward.body.errors?.map((e) => e.extensions?.code)).toContain('UNAUTHORIZED_FIELD_OR_TYPE');
    // No figure hides in the summary either.
    expect(stewardNode.summary).not.toMatch(/\d+\.\d\d/);
  });

  it('masks the disputed values for readers without pii:read', async () => {
    const query = '{ findings(filter: { kinds: [ATTRIBUTE_CONFLICT] }, first: 1) { nodes { conflict { attribute values survivor } records { value } } } }';
    const clear = (await gql('demo-finance', query)).body.data.findings.nodes[0];
    const masked = (await gql('demo-analyst', query)).body.data.findings.nodes[0];
    expect(clear.conflict.values.length).toBeGreaterThanOrEqual(2);
    expect(masked.conflict.attribute).toBe(clear.conflict.attribute);
    expect(masked.conflict.values).toEqual(clear.conflict.values.map(() => '•••'));
    expect(masked.records.map((r: any) => r.value)).not.toEqual(clear.records.map((r: any) => r.value));
  });

  it('acknowledges with a comment and answers bad input with coded errors, changing nothing', async () => {
    const { body } = await gql('demo-steward', '{ findings(filter: { kinds: [STALE_RECORD], states: [OPEN] }, first: 1) { nodes { id version } } }');
    const { id, version } = body.data.findings.nodes[0];
    const ack = 'mutation($id: ID!, $v: Int!, $c: String!) { acknowledgeFinding(id: $id, expectedVersion: $v, comment: $c) { id state version stateBy events { action actor comment } } }';
    const unknown = await gql('demo-steward', ack, { id: 'fnd_00000000000000000000', v: 1, c: 'x' });
    expect(unknown.body.errors?.[0].extensions?.code).toBe('RECON_FINDING_NOT_FOUND');
    const tooLong = await gql('demo-steward', ack, { id, v: version, c: 'x'.repeat(2001) });
    expect(tooLong.body.errors?.[0].extensions?.code).toBe('RECON_COMMENT_TOO_LONG');
    const ok = await gql('demo-steward', ack, { id, v: version, c: 'dormant customer, confirmed by sales' });
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data.acknowledgeFinding).toMatchObject({ state: 'ACKNOWLEDGED', version: version + 1, stateBy: 'demo-steward' });
    expect(ok.body.data.acknowledgeFinding.events.at(-1)).toEqual({ action: 'acknowledged', actor: 'demo-steward', comment: 'dormant customer, confirmed by sales' });
    const stale = await gql('demo-finance', ack.replace('acknowledgeFinding', 'resolveFinding'), { id, v: version, c: 'second, from an old read' });
    expect(stale.body.errors?.[0].extensions?.code).toBe('RECON_VERSION_CONFLICT');
    const events = (await stack.pool.query('SELECT action FROM recon.finding_event WHERE finding_id = $1 ORDER BY id', [id])).rows.map((r) => r.action);
    expect(events).toEqual(['detected', 'acknowledged']);
  });

  it('refuses acknowledging to a reader without reconcile:write', async () => {
    const { body } = await gql('demo-analyst', 'mutation { acknowledgeFinding(id: "fnd_00000000000000000000", expectedVersion: 1, comment: "x") { id } }');
    expect(body.errors?.[0].extensions?.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });
});
