import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RECON_TRUTH_RULES } from '../sandbox/seed/reconTruth.js';
import { databaseTargets, type TestDatabase } from '../test/support/databases.js';
import { DEFAULT_RECONCILE_CONFIG } from './config.js';
import { ReconError } from './errors.js';
import { findingId } from './findingId.js';
import { Reconciler } from './runner.js';
import { listFindings, readFinding, readFindingEvents, transitionFinding } from './store/findings.js';
import { startSeededSystems, type SeededSystems } from './testing/seededSystems.js';

const targets = await databaseTargets();
const REFERENCE = new Date('2026-11-22T00:00:00Z');

async function presentFindings(s: SeededSystems): Promise<string[]> {
  const { rows } = await s.pool.query<{ kind: string; finding_key: string }>('SELECT kind, finding_key FROM recon.finding WHERE present');
  return rows.map((r) => `${r.kind} ${r.finding_key}`).sort();
}

async function expectedFindings(s: SeededSystems, planted?: boolean): Promise<string[]> {
  const { rows } = await s.pool.query<{ kind: string; finding_key: string }>(
    'SELECT kind, finding_key FROM truth.recon_finding WHERE $1::boolean IS NULL OR planted = $1', [planted ?? null]);
  return rows.map((r) => `${r.kind} ${r.finding_key}`).sort();
}

const caught = async (promise: Promise<unknown>) => promise.then(() => undefined, (error: unknown) => error as ReconError);

describe.each(targets)('reconciliation jobs against the seed truth on $name', (target) => {
  let db: TestDatabase;
  let s: SeededSystems;

  beforeAll(async () => {
    if (target.unavailable) return;
    db = await target.create();
    s = await startSeededSystems({ databaseUrl: db.url, companies: 150, referenceDate: REFERENCE });
    await s.reconciler.run({ asOf: s.asOf, actor: 'test' });
  }, 180_000);
  afterAll(async () => {
    await s?.close();
    await db?.drop();
  });

  it('works the truth out with the rules the jobs run by default', () => {
    const { dealWindowDays, monthlyToleranceCents, monthlyTolerancePercent, staleDays } = DEFAULT_RECONCILE_CONFIG;
    expect({ dealWindowDays, monthlyToleranceCents, monthlyTolerancePercent, staleDays }).toEqual(RECON_TRUTH_RULES);
  });

  it.skipIf(!!target.unavailable)('finds exactly what the seed says is there: none missing, none invented', async () => {
    const expected = await expectedFindings(s);
    const found = await presentFindings(s);
    const missing = expected.filter((f) => !found.includes(f));
    const invented = found.filter((f) => !expected.includes(f));
    expect({ missing, invented }).toEqual({ missing: [], invented: [] });
    // Every kind the seed's data can produce shows up, so the comparison above is not vacuous.
    const kinds = new Set(found.map((f) => f.split(' ')[0]));
    expect([...kinds].sort()).toEqual(['attribute_conflict', 'deal_won_without_erp_sale', 'erp_invoices_unknown_to_crm', 'monthly_total_mismatch', 'single_source_golden', 'stale_record']);
  });

  it.skipIf(!!target.unavailable)('finds each planted discrepancy with its records and amounts', async () => {
    const planted = await expectedFindings(s, true);
    expect(planted.map((p) => p.split(' ')[0]).sort()).toEqual([
      'attribute_conflict', 'deal_won_without_erp_sale', 'deal_won_without_erp_sale', 'erp_invoices_unknown_to_crm', 'monthly_total_mismatch', 'stale_record',
    ]);
    for (const p of planted) {
      const [kind, key] = [p.slice(0, p.indexOf(' ')), p.slice(p.indexOf(' ') + 1)];
      const finding = await readFinding(s.pool, findingId(kind, key));
      expect(finding, p).not.toBeNull();
      expect(finding!.records.length, p).toBeGreaterThan(0);
      if (kind === 'monthly_total_mismatch') {
        // The CRM booked 22 of a product the ERP invoiced 20 of: 10 % more.
        const { crm, erp, difference } = finding!.amounts!;
        expect(crm! / erp!).toBeCloseTo(1.1, 5);
        expect(difference).toBeCloseTo(crm! - erp!, 2);
        expect(finding!.records.some((r) => r.system === 'crm' && r.type === 'deals')).toBe(true);
        expect(finding!.records.some((r) => r.system === 'erp' && r.type === 'account_move')).toBe(true);
      }
      if (kind === 'attribute_conflict') {
        const values = finding!.detail.values as string[];
        expect(values).toHaveLength(2);
        expect(values[0].slice(0, -1)).toBe(values[1].slice(0, -1));
        // Survivorship keeps the VAT that passes its check digit.
        expect(finding!.detail.survivor).toMatch(/^DE\d{9}$/);
        expect(finding!.records.filter((r) => r.system === 'erp')).toHaveLength(2);
      }
    }
  });

  it.skipIf(!!target.unavailable)('keeps finding ids across re-runs and records no new detection', async () => {
    const before = await presentFindings(s);
    const events = Number((await s.pool.query('SELECT count(*) AS n FROM recon.finding_event')).rows[0].n);
    const runs = await s.reconciler.run({ jobs: ['ordersInvoices', 'attributes', 'coverage'], asOf: s.asOf, actor: 'test' });
    expect(runs.map((r) => r.status)).toEqual(['succeeded', 'succeeded', 'succeeded']);
    expect(await presentFindings(s)).toEqual(before);
    expect(Number((await s.pool.query('SELECT count(*) AS n FROM recon.finding_event')).rows[0].n)).toBe(events);
    expect(Number((await s.pool.query('SELECT count(DISTINCT first_run_id) AS n FROM recon.finding')).rows[0].n)).toBeLessThanOrEqual(3);
  });

  it.skipIf(!!target.unavailable)('reports an ERP customer created after the last match as having no golden record', async () => {
    const { rows } = await s.pool.query<{ id: number }>(
      `INSERT INTO erp.res_partner (name, is_company, customer_rank, active, create_date, write_date)
       VALUES ('Newcomer Trading GmbH', true, 1, true, now() at time zone 'utc', now() at time zone 'utc') RETURNING id`);
    await s.reconciler.run({ jobs: ['coverage'], asOf: s.asOf, actor: 'test' });
    const finding = await readFinding(s.pool, findingId('source_without_golden', `customer|erp:${rows[0].id}`));
    expect(finding?.present).toBe(true);
    expect(finding?.records[0].label).toBe('Newcomer Trading GmbH');
    await s.pool.query('DELETE FROM erp.res_partner WHERE id = $1', [rows[0].id]);
    await s.reconciler.run({ jobs: ['coverage'], asOf: s.asOf, actor: 'test' });
    const cleared = await readFinding(s.pool, finding!.id);
    expect(cleared?.present).toBe(false);
    expect((await readFindingEvents(s.pool, finding!.id)).map((e) => e.action)).toEqual(['detected', 'cleared']);
  });

  it.skipIf(!!target.unavailable)('profiles each source and field: completeness, validity, uniqueness', async () => {
    const { rows } = await s.pool.query(`SELECT system, field, records, present, valid, distinct_values FROM recon.quality_profile
      WHERE run_id = (SELECT max(id) FROM recon.run WHERE job = 'qualityProfile') AND entity_type = 'customer' ORDER BY system, field`);
    const erpTax = rows.find((r) => r.system === 'erp' && r.field === 'taxId');
    const crmTax = rows.find((r) => r.system === 'crm' && r.field === 'taxId');
    const partners = Number((await s.pool.query('SELECT count(*) AS n FROM erp.res_partner WHERE is_company AND customer_rank > 0')).rows[0].n);
    const withVat = Number((await s.pool.query("SELECT count(*) AS n FROM erp.res_partner WHERE is_company AND customer_rank > 0 AND coalesce(vat, '') <> ''")).rows[0].n);
    expect(erpTax.records).toBe(partners);
    expect(erpTax.present).toBe(withVat);
    // The planted typo fails its check digit; US EINs have none to pass.
    expect(erpTax.valid).toBeLessThan(erpTax.present);
    expect(crmTax.present).toBe(0);
    expect(rows.find((r) => r.system === 'erp' && r.field === 'name').valid).toBeNull();
  });

  describe.skipIf(!!target.unavailable)('acknowledging and resolving', () => {
    const pick = async (kind: string) => (await listFindings(s.pool, { kinds: [kind as never], states: ['open'] }, { offset: 0, limit: 1 })).items[0];
    const limits = { commentMaxLength: DEFAULT_RECONCILE_CONFIG.commentMaxLength };

    it('acknowledges with a comment, audited, and bumps the version', async () => {
      const finding = await pick('stale_record');
      const after = await transitionFinding(s.pool, { id: finding.id, action: 'acknowledge', comment: 'Known dormant customer', actor: 'steward-1', expectedVersion: finding.version, ...limits });
      expect(after).toMatchObject({ state: 'acknowledged', version: finding.version + 1, stateBy: 'steward-1', stateComment: 'Known dormant customer' });
      const events = await readFindingEvents(s.pool, finding.id);
      expect(events.at(-1)).toMatchObject({ action: 'acknowledged', actor: 'steward-1', fromState: 'open', toState: 'acknowledged', comment: 'Known dormant customer' });
    });

    it('refuses an unknown finding with RECON_FINDING_NOT_FOUND', async () => {
      for (const id of ['fnd_00000000000000000000', 'not-an-id']) {
        const error = await caught(transitionFinding(s.pool, { id, action: 'acknowledge', comment: 'x', actor: 'a', expectedVersion: 1, ...limits }));
        expect(error).toBeInstanceOf(ReconError);
        expect(error?.code).toBe('RECON_FINDING_NOT_FOUND');
      }
    });

    it('lets one of two concurrent resolutions win and refuses the other with RECON_VERSION_CONFLICT', async () => {
      const finding = await pick('deal_won_without_erp_sale');
      const attempt = (actor: string) => transitionFinding(s.pool, { id: finding.id, action: 'resolve', comment: `invoiced by hand (${actor})`, actor, expectedVersion: finding.version, ...limits });
      const outcomes = await Promise.allSettled([attempt('alice'), attempt('bob')]);
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(lost[0].reason.code).toBe('RECON_VERSION_CONFLICT');
      const events = (await readFindingEvents(s.pool, finding.id)).filter((e) => e.action === 'resolved');
      expect(events).toHaveLength(1);
      const stored = await readFinding(s.pool, finding.id);
      expect(stored).toMatchObject({ state: 'resolved', version: finding.version + 1 });
      // Resolving it again from the new version is not a valid transition.
      const again = await caught(transitionFinding(s.pool, { id: finding.id, action: 'resolve', comment: 'again', actor: 'carol', expectedVersion: stored!.version, ...limits }));
      expect(again?.code).toBe('RECON_INVALID_TRANSITION');
    });

    it('refuses a comment over the limit or an empty one, changing nothing', async () => {
      const finding = await pick('single_source_golden');
      const events = (await readFindingEvents(s.pool, finding.id)).length;
      const long = await caught(transitionFinding(s.pool, { id: finding.id, action: 'acknowledge', comment: 'x'.repeat(limits.commentMaxLength + 1), actor: 'a', expectedVersion: finding.version, ...limits }));
      expect(long?.code).toBe('RECON_COMMENT_TOO_LONG');
      const empty = await caught(transitionFinding(s.pool, { id: finding.id, action: 'acknowledge', comment: '   ', actor: 'a', expectedVersion: finding.version, ...limits }));
      expect(empty?.code).toBe('RECON_COMMENT_REQUIRED');
      expect(await readFinding(s.pool, finding.id)).toEqual(finding);
      expect(await readFindingEvents(s.pool, finding.id)).toHaveLength(events);
    });

    it('reopens a resolved finding the next run still sees', async () => {
      const finding = (await listFindings(s.pool, { kinds: ['deal_won_without_erp_sale'], states: ['resolved'] }, { offset: 0, limit: 1 })).items[0];
      await s.reconciler.run({ jobs: ['ordersInvoices'], asOf: s.asOf, actor: 'test' });
      const after = await readFinding(s.pool, finding.id);
      expect(after).toMatchObject({ state: 'open', version: finding.version + 1, present: true });
      expect((await readFindingEvents(s.pool, finding.id)).at(-1)?.action).toBe('reopened');
    });
  });

  describe.skipIf(!!target.unavailable)('replicas sharing the database', () => {
    const runCount = async (job: string) => Number((await s.pool.query('SELECT count(*) AS n FROM recon.run WHERE job = $1', [job])).rows[0].n);
    const replica = () => new Reconciler({ pool: s.pool, erpPool: s.pool, crm: s.crm, config: s.config });

    it('runs a scheduled job once when two replicas fire together', async () => {
      const before = await runCount('attributes');
      const [a, b] = await Promise.all([
        s.reconciler.run({ jobs: ['attributes'], trigger: 'schedule', actor: 'schedule', asOf: s.asOf }),
        replica().run({ jobs: ['attributes'], trigger: 'schedule', actor: 'schedule', asOf: s.asOf }),
      ]);
      expect(a.length + b.length).toBe(1);
      expect(await runCount('attributes')).toBe(before + 1);
      expect(Number((await s.pool.query('SELECT count(*) AS n FROM recon.job_lease')).rows[0].n)).toBe(0);
    });

    it('skips a scheduled job another replica ran within the interval, runs it when the interval is over', async () => {
      const before = await runCount('attributes');
      const skipped = await replica().run({ jobs: ['attributes'], trigger: 'schedule', asOf: s.asOf, skipIfStartedWithinMs: 3_600_000 });
      expect(skipped).toEqual([]);
      expect(await runCount('attributes')).toBe(before);
      const ran = await replica().run({ jobs: ['attributes'], trigger: 'schedule', asOf: s.asOf, skipIfStartedWithinMs: 1 });
      expect(ran.map((r) => [r.job, r.status])).toEqual([['attributes', 'succeeded']]);
    });

    it('refuses a manual run while another replica holds the job, takes over a lease whose holder died', async () => {
      await s.pool.query(`INSERT INTO recon.job_lease (job, holder, expires_at) VALUES ('attributes', 'other-replica', now() + interval '1 minute')`);
      const before = await runCount('attributes');
      const refused = await caught(s.reconciler.run({ jobs: ['coverage', 'attributes'], actor: 'test', asOf: s.asOf }));
      expect(refused).toMatchObject({ code: 'RECON_JOB_RUNNING' });
      expect(refused?.message).toMatch(/another replica/);
      // All or nothing: the coverage lease it took first was given back, and nothing ran.
      expect(await runCount('attributes')).toBe(before);
      expect((await s.pool.query(`SELECT holder FROM recon.job_lease ORDER BY job`)).rows).toEqual([{ holder: 'other-replica' }]);
      await s.pool.query(`UPDATE recon.job_lease SET expires_at = now() - interval '1 second' WHERE job = 'attributes'`);
      const runs = await s.reconciler.run({ jobs: ['attributes'], actor: 'test', asOf: s.asOf });
      expect(runs.map((r) => r.status)).toEqual(['succeeded']);
      expect(Number((await s.pool.query('SELECT count(*) AS n FROM recon.job_lease')).rows[0].n)).toBe(0);
    });
  });

  it.skipIf(!!target.unavailable)('records a run that cannot read the CRM as failed and changes no finding', async () => {
    const before = await s.pool.query('SELECT id, state, present, version, last_run_id FROM recon.finding ORDER BY id');
    const broken = new (await import('./runner.js')).Reconciler({
      pool: s.pool, erpPool: s.pool, config: s.config,
      crm: (await import('../platform/http/index.js')).createHttpClient({ baseUrl: 'http://127.0.0.1:9', retry: { maxAttempts: 1 }, circuitBreaker: false, timeoutMs: 2_000 }),
    });
    const error = await caught(broken.run({ jobs: ['ordersInvoices'], asOf: s.asOf }));
    expect(error?.code).toBe('RECON_SOURCE_UNAVAILABLE');
    const run = (await s.pool.query("SELECT status, error FROM recon.run WHERE job = 'ordersInvoices' ORDER BY id DESC LIMIT 1")).rows[0];
    expect(run.status).toBe('failed');
    expect((await s.pool.query('SELECT id, state, present, version, last_run_id FROM recon.finding ORDER BY id')).rows).toEqual(before.rows);
  });
});
