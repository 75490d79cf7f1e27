import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import type pg from 'pg';
import {
  FINDING_KINDS, JOB_NAMES, latestProfile, listFindings, listRuns, mismatchByMonth, profileTrend, readFinding, readFindingEvents,
  summariseFindings, transitionFinding, type Finding, type FindingFilter, type FindingKind, type FindingRecord, type FindingState,
  type JobName, type ProfileRow, type ReconcileConfig, type Reconciler, type RunRow,
} from '../../reconcile/index.js';
import type { Principal } from '../../platform/auth/index.js';
import { badInput, callReconcile } from './errors.js';

export interface QualityContext {
  pool: pg.Pool;
  reconciler: Reconciler;
  config: ReconcileConfig;
  principal: Principal;
}

const MAX_PAGE = 500;
const upper = (s: string) => s.toUpperCase();
const jobToGraph: Record<JobName, string> = { ordersInvoices: 'ORDERS_INVOICES', attributes: 'ATTRIBUTES', coverage: 'COVERAGE', qualityProfile: 'QUALITY_PROFILE' };
const jobFromGraph = Object.fromEntries(Object.entries(jobToGraph).map(([k, v]) => [v, k])) as Record<string, JobName>;

/** The acting user, for the audit trail: the verified principal's subject. */
function actorOf(ctx: QualityContext, info: GraphQLResolveInfo): string {
  if (ctx.principal.kind !== 'user') {
    throw new GraphQLError(`${info.parentType.name}.${info.fieldName} acts as the calling user; call it with an authenticated user`, { extensions: { code: 'UNAUTHENTICATED' } });
  }
  return ctx.principal.subject;
}

function pageArgs(first: number | null | undefined, after: string | null | undefined): { offset: number; limit: number } {
  const limit = first ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw badInput(`"first" must be from 1 to ${MAX_PAGE}, got ${limit}`, 'first');
  let offset = 0;
  if (after) {
    const match = /^offset:(\d{1,9})$/.exec(Buffer.from(after, 'base64url').toString('utf8'));
    if (!match) throw badInput(`"after" is not a cursor this list returned: ${JSON.stringify(after)}`, 'after');
    offset = Number(match[1]);
  }
  return { offset, limit };
}

interface GraphFilter {
  kinds?: string[] | null; states?: string[] | null; includeCleared?: boolean | null; entityType?: string | null;
  masterId?: string | null; monthFrom?: string | null; monthTo?: string | null; text?: string | null;
}

function filterOf(graph: GraphFilter | null | undefined): FindingFilter {
  const g = graph ?? {};
  if (g.text && g.text.length > 200) throw badInput('"filter.text" is longer than 200 characters', 'filter.text');
  return {
    kinds: g.kinds?.map((k) => k.toLowerCase() as FindingKind),
    states: g.states?.map((s) => s.toLowerCase() as FindingState),
    present: g.includeCleared ? null : true,
    entityType: g.entityType ?? undefined,
    masterId: g.masterId ?? undefined,
    monthFrom: g.monthFrom ?? undefined,
    monthTo: g.monthTo ?? undefined,
    text: g.text?.trim() || undefined,
  };
}

/** A stored finding in the graph's shape; money and disputed values go to the fields that guard them. */
function graphFinding(f: Finding) {
  const detail = { ...f.detail };
  const conflict = f.kind === 'attribute_conflict'
    ? { attribute: String(detail.attribute), values: (detail.values as string[]) ?? [], survivor: detail.survivor ?? null, survivorSource: detail.survivorSource ?? null, survivorRule: detail.survivorRule ?? null }
    : null;
  if (conflict) for (const key of ['attribute', 'values', 'survivor', 'survivorSource', 'survivorRule']) delete detail[key];
  return {
    ...f,
    kind: upper(f.kind),
    job: jobToGraph[f.job as JobName],
    state: upper(f.state),
    records: f.records.map(graphRecord),
    conflict,
    details: Object.entries(detail).map(([name, value]) => ({ name, value: value === null || value === undefined ? null : String(value) })),
  };
}

function graphRecord(r: FindingRecord) {
  const v = r.values ?? {};
  const disputed = Object.entries(v).find(([key]) => !['amount', 'date', 'closeDate', 'changedAt', 'stage', 'currency', 'partnerId', 'standardised'].includes(key));
  return {
    system: r.system, type: r.type, id: r.id, label: r.label ?? null,
    date: (v.date ?? v.closeDate ?? v.changedAt ?? null) as string | null,
    stage: (v.stage ?? null) as string | null,
    currency: (v.currency ?? null) as string | null,
    amount: typeof v.amount === 'number' ? v.amount : null,
    value: disputed ? (disputed[1] === null ? null : String(disputed[1])) : null,
  };
}

function graphRun(r: RunRow) {
  return {
    ...r,
    job: jobToGraph[r.job],
    counts: Object.entries(r.counts).map(([kind, count]) => ({ kind: upper(kind), count })),
  };
}

const graphProfile = (p: ProfileRow) => p;

export const qualityResolvers = {
  Query: {
    findings: (_: unknown, args: { filter?: GraphFilter; first?: number; after?: string }, ctx: QualityContext) =>
      callReconcile('findings', async () => {
        const page = pageArgs(args.first, args.after);
        const { items, total } = await listFindings(ctx.pool, filterOf(args.filter), page);
        const next = page.offset + items.length;
        return {
          totalCount: total,
          nodes: items.map(graphFinding),
          hasNextPage: next < total,
          endCursor: next < total ? Buffer.from(`offset:${next}`, 'utf8').toString('base64url') : null,
        };
      }),
    finding: (_: unknown, args: { id: string }, ctx: QualityContext) =>
      callReconcile('finding', async () => {
        const f = await readFinding(ctx.pool, args.id);
        return f ? graphFinding(f) : null;
      }),
    reconciliationSummary: (_: unknown, __: unknown, ctx: QualityContext) =>
      callReconcile('reconciliationSummary', async () => {
        const [rows, runs] = await Promise.all([summariseFindings(ctx.pool), listRuns(ctx.pool, { limit: 200 })]);
        const kinds = Object.keys(FINDING_KINDS).map((kind) => {
          const of = (state: string) => rows.find((r) => r.kind === kind && r.state === state)?.count ?? 0;
          const open = of('open');
          const acknowledged = of('acknowledged');
          const resolved = of('resolved');
          return { kind: upper(kind), open, acknowledged, resolved, total: open + acknowledged + resolved };
        });
        const latestRuns = JOB_NAMES.map((job) => runs.find((r) => r.job === job)).filter((r): r is RunRow => !!r).map(graphRun);
        return { kinds, latestRuns };
      }),
    reconciliationRuns: (_: unknown, args: { job?: string; first?: number }, ctx: QualityContext) =>
      callReconcile('reconciliationRuns', async () => {
        const { limit } = pageArgs(args.first, null);
        return (await listRuns(ctx.pool, { job: args.job ? jobFromGraph[args.job] : undefined, limit })).map(graphRun);
      }),
    mismatchedTotalsByMonth: (_: unknown, __: unknown, ctx: QualityContext) =>
      callReconcile('mismatchedTotalsByMonth', async () =>
        (await mismatchByMonth(ctx.pool)).map((m) => ({ month: m.month, customers: m.findings, totals: { crm: m.crm, erp: m.erp, difference: m.difference } }))),
    qualityProfile: (_: unknown, __: unknown, ctx: QualityContext) =>
      callReconcile('qualityProfile', async () => (await latestProfile(ctx.pool)).map(graphProfile)),
    qualityTrend: (_: unknown, args: { runs?: number }, ctx: QualityContext) =>
      callReconcile('qualityTrend', async () => {
        const runs = args.runs ?? 20;
        if (!Number.isInteger(runs) || runs < 1 || runs > 100) throw badInput(`"runs" must be from 1 to 100, got ${runs}`, 'runs');
        return (await profileTrend(ctx.pool, runs)).map(graphProfile);
      }),
  },
  Mutation: {
    acknowledgeFinding: (_: unknown, args: { id: string; expectedVersion: number; comment: string }, ctx: QualityContext, info: GraphQLResolveInfo) =>
      transition('acknowledge', args, ctx, info),
    resolveFinding: (_: unknown, args: { id: string; expectedVersion: number; comment: string }, ctx: QualityContext, info: GraphQLResolveInfo) =>
      transition('resolve', args, ctx, info),
    runReconciliation: (_: unknown, args: { jobs?: string[] | null }, ctx: QualityContext, info: GraphQLResolveInfo) => {
      const actor = actorOf(ctx, info);
      return callReconcile('runReconciliation', async () =>
        (await ctx.reconciler.run({ jobs: args.jobs?.map((j) => jobFromGraph[j]), trigger: 'manual', actor })).map(graphRun));
    },
  },
  Finding: {
    __resolveReference: (reference: { id: string }, ctx: QualityContext) =>
      callReconcile('Finding', async () => {
        const f = await readFinding(ctx.pool, reference.id);
        return f ? graphFinding(f) : null;
      }),
    events: (finding: Finding, _: unknown, ctx: QualityContext) =>
      callReconcile('Finding.events', async () => (await readFindingEvents(ctx.pool, finding.id)).map((e) => ({
        ...e, fromState: e.fromState ? upper(e.fromState) : null, toState: e.toState ? upper(e.toState) : null,
      }))),
  },
};

function transition(action: 'acknowledge' | 'resolve', args: { id: string; expectedVersion: number; comment: string }, ctx: QualityContext, info: GraphQLResolveInfo) {
  const actor = actorOf(ctx, info);
  return callReconcile(`${action}Finding`, async () =>
    graphFinding(await transitionFinding(ctx.pool, { ...args, action, actor, commentMaxLength: ctx.config.commentMaxLength })));
}
