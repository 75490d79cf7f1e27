import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { faultSuiteUnavailable, startFaultStack, type FaultStack } from './support/faultStack.js';
import { codeCounts, longestSilenceMs, percentileMs, reasonCounts, runOpenLoad, sampleMessages, type Outcome } from './support/load.js';

const customer360 = readFileSync(new URL('../e2e/customer360.graphql', import.meta.url), 'utf8');

const unavailable = await faultSuiteUnavailable();
if (unavailable && process.env.CI === 'true') throw new Error(`${unavailable}: under CI=true the fault suite is mandatory`);
if (unavailable) console.warn(`[tests] skipping the fault suite: ${unavailable}`);

/** The gateway's overall deadline in these runs (its default is 5 s; shorter keeps the suite short). */
const DEADLINE_MS = 2_000;
/** Scheduling slack on a shared 2-core machine: timers, GC, the load generator itself. */
const SLACK_MS = 500;
/**
 * How much later than the deadline the slowest PII answer may arrive: the answer's serialisation and
 * delivery, timers and GC of the gateway and of the load generator on a shared 2-core machine.
 */
const AUDIT_MARGIN_MS = 250;
/** Open-loop load: enough to pile up work behind a hung source, little enough for a shared 2-core machine. */
const RATE = 10;

/**
 * Whether an answer carries a value of a field the gateway audits (@pii, or
 * readable with finance:read) in the customer 360: such an answer may only
 * leave with its audit record stored.
 */
function carriesAuditedData(customer: any): boolean {
  if (!customer) return false;
  const values = [customer.taxId, customer.primaryEmail, customer.openBalance, customer.creditLimit, customer.orders, customer.overdueInvoices];
  if (values.some((v) => v !== null && v !== undefined)) return true;
  return (customer.contacts ?? []).some((c: any) => c && (c.name ?? c.email ?? c.phone) != null);
}

/** CRM or its subgraph named as the reason the CRM fields are missing. */
const CRM_DOWN = new Set(['CRM_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE']);
/** The database (through ERP or MDM) or their subgraphs named. */
const DATABASE_DOWN = new Set(['MDM_UNAVAILABLE', 'ERP_UNAVAILABLE', 'SUBGRAPH_UNAVAILABLE']);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One unlabelled sample of a service's /metrics, or undefined when it has none. */
async function metricValue(origin: string, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${origin}/metrics`, { signal: AbortSignal.timeout(5_000) })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/**
 * Whether, within `withinMs` of the fault's end, some 3 s of answers were
 * whole again (at least 90% of them): the system came back by itself. Not
 * "every answer after": on a shared 2-core machine the thawed process works
 * off what piled up while frozen, and other tests' load comes and goes.
 */
function recoversWithin(outcomes: Outcome[], endedAt: number, withinMs: number, whole: (o: Outcome) => boolean): boolean {
  for (let from = 0; from + 3_000 <= withinMs; from += 500) {
    const part = outcomes.filter((o) => o.startedAt >= endedAt + from && o.startedAt < endedAt + from + 3_000);
    if (part.length >= RATE * 2 && part.filter(whole).length >= 0.9 * part.length) return true;
  }
  return false;
}

/** What came back in the seconds after a fault ended: how the system recovers. */
function afterFault(label: string, outcomes: Outcome[], endedAt: number): void {
  for (const [from, to] of [[0, 3_000], [3_000, 6_000], [6_000, 9_000], [9_000, 12_000], [12_000, Infinity]]) {
    const part = outcomes.filter((o) => o.startedAt >= endedAt + from && o.startedAt < endedAt + to);
    console.log(`[faults] ${label}, ${from / 1000}–${to === Infinity ? 'end' : to / 1000} s after it ended: ${part.length} answers, ` +
      `${part.filter((o) => o.codes.length === 0).length} whole, p50 ${percentileMs(part, 50)} ms, p99 ${percentileMs(part, 99)} ms, ` +
      `reasons ${JSON.stringify(reasonCounts(part))}, samples ${JSON.stringify(sampleMessages(part))}`);
  }
}

function summary(label: string, outcomes: Outcome[], maxInFlight: number, silenceMs: number): void {
  console.log(`[faults] ${label}: ${outcomes.length} requests, p50 ${percentileMs(outcomes, 50)} ms, p99 ${percentileMs(outcomes, 99)} ms, ` +
    `longest silence ${silenceMs} ms, max in flight ${maxInFlight}, codes ${JSON.stringify(codeCounts(outcomes))}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

describe.skipIf(unavailable !== undefined)('fault injection: hung and dead sources under load (real processes)', () => {
  let stack: FaultStack;
  let ids: string[];
  let n = 0;
  beforeAll(async () => {
    stack = await startFaultStack({
      gatewayEnv: { GATEWAY_REQUEST_TIMEOUT_MS: String(DEADLINE_MS) },
    });
    ids = stack.customerIds;
    expect(ids.length).toBeGreaterThan(5);
    // Warm up: the first customer 360 of a fresh gateway plans the operation and opens its
    // connections (seen taking ~2 s on a loaded machine), which would count against the first fault.
    for (const id of ids.slice(0, 3)) {
      const answer = await fetch(stack.gatewayUrl, {
        method: 'POST', headers: { 'content-type': 'application/json', ...stack.adminHeaders }, body: JSON.stringify({ query: customer360, variables: { id } }),
      });
      expect(answer.status).toBe(200);
    }
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  }, 60_000);

  /** Before each fault: the system is whole again by itself (bounded wait), or the test fails here. */
  async function readyAgain(withinMs = 20_000): Promise<void> {
    const started = Date.now();
    let last = '';
    while (Date.now() - started < withinMs) {
      const response = await fetch(`${stack.gateway.origin}/ready`, { signal: AbortSignal.timeout(5_000) }).catch((error: Error) => error);
      if (!(response instanceof Error) && response.status === 200) return;
      last = response instanceof Error ? response.message : `${response.status} ${await response.text()}`;
      await sleep(250);
    }
    throw new Error(`the gateway was not ready ${withinMs} ms after the previous fault ended; /ready said: ${last}`);
  }

  const run = async (durationMs: number, fault: { at: number; start(): void | Promise<void>; endAt: number; end(): void | Promise<void> }) => {
    await readyAgain();
    const loadStarted = Date.now();
    const report = runOpenLoad({
      url: stack.gatewayUrl, query: customer360, headers: stack.adminHeaders, ratePerSecond: RATE, durationMs, clientTimeoutMs: 30_000,
      variables: () => ({ id: ids[n++ % ids.length] }),
    });
    // On the load's clock, so a slow freeze or a late timer does not shift the end of the fault.
    const injected = (async () => {
      await sleep(loadStarted + fault.at - Date.now());
      const startedAt = Date.now();
      await fault.start();
      await sleep(loadStarted + fault.endAt - Date.now());
      const ending = Date.now();
      await fault.end();
      console.log(`[faults] fault from +${startedAt - loadStarted} ms to +${ending - loadStarted} ms of the load (ended in ${Date.now() - ending} ms)`);
      return { startedAt, endedAt: Date.now() };
    })();
    return Promise.all([report, injected]).then(([r, window]) => ({ ...r, loadStarted, window }));
  };

  it('ERP subgraph killed: the gateway /ready says so within seconds and recovers by itself when it is back', async () => {
    const ready = async () => {
      const response = await fetch(`${stack.gateway.origin}/ready`, { signal: AbortSignal.timeout(5_000) });
      return { status: response.status, body: (await response.json()) as any };
    };
    await readyAgain();
    expect((await ready()).status).toBe(200);
    await stack.erp.kill();
    const killedAt = Date.now();
    let seen: { status: number; body: any } | undefined;
    while (Date.now() - killedAt < 10_000) {
      const answer = await ready();
      if (answer.status === 503) {
        seen = answer;
        break;
      }
      await sleep(100);
    }
    const reportedAfterMs = Date.now() - killedAt;
    expect(seen?.body.subgraphs?.erp?.ready).toBe(false);
    expect(seen?.body.subgraphs?.mdm?.ready).toBe(true);
    expect(reportedAfterMs).toBeLessThan(3_000);
    // /health stays 200: the gateway process is fine, restarting it would not help.
    expect((await fetch(`${stack.gateway.origin}/health`)).status).toBe(200);

    await stack.erp.restart();
    const restartedAt = Date.now();
    let back = false;
    while (Date.now() - restartedAt < 15_000) {
      if ((await ready()).status === 200) {
        back = true;
        break;
      }
      await sleep(100);
    }
    console.log(`[faults] ERP killed: /ready said 503 after ${reportedAfterMs} ms, 200 again ${Date.now() - restartedAt} ms after the restart`);
    expect(back).toBe(true);
  }, 60_000);

  /**
   * An audit database outage under load: every PII answer has exactly one audit record afterwards
   * (replayed from the spool), none is refused, and none waits for the audit write past its deadline.
   */
  async function auditOutage(label: string, fault: { start(): void | Promise<void>; end(): void | Promise<void> }): Promise<void> {
    const { outcomes, maxInFlight, window } = await run(36_000, { at: 3_000, start: fault.start, endAt: 33_000, end: fault.end });
    const answered = outcomes.filter((o) => o.status === 200);
    const pii = answered.filter((o) => carriesAuditedData(o.data?.customer));
    const piiWhileDown = pii.filter((o) => o.startedAt >= window.startedAt && o.endedAt <= window.endedAt);
    const refused = outcomes.filter((o) => o.codes.includes('AUDIT_UNAVAILABLE'));
    const requestIds = outcomes.map((o) => o.requestId);
    // The spool replays into the database once it is back: wait for it, bounded.
    const stored = async () => (await stack.pool.query<{ request_id: string; n: number }>(
      `SELECT request_id, count(*)::int AS n FROM audit.field_read WHERE request_id = ANY($1::text[]) GROUP BY request_id`, [requestIds])).rows;
    let rows = await stored();
    const waitStarted = Date.now();
    while (rows.length < pii.length && Date.now() - waitStarted < 20_000) {
      await sleep(250);
      rows = await stored();
    }
    const audited = new Map(rows.map((r) => [r.request_id, r.n]));
    const lost = pii.filter((o) => !audited.has(o.requestId));
    const twice = rows.filter((r) => r.n > 1);
    const spoolBacklog = await metricValue(stack.gateway.origin, 'concord_gateway_audit_spool_backlog');
    summary(label, outcomes, maxInFlight, longestSilenceMs(outcomes, window.startedAt, window.endedAt));
    console.log(`[faults] ${label}: ${outcomes.length} answers, ${pii.length} with PII (${piiWhileDown.length} while the database was out), ` +
      `${rows.length} audited, ${lost.length} lost, ${twice.length} twice, ${refused.length} refused, spool backlog after ${spoolBacklog}`);
    // Sources are up: nearly every answer carries PII or finance data, also while the audit database is out,
    // and the spool does not throttle them: they come as many and as fast as with the database up.
    const piiBefore = pii.filter((o) => o.endedAt < window.startedAt);
    console.log(`[faults] ${label}: PII answers p50/p90 ${percentileMs(piiBefore, 50)}/${percentileMs(piiBefore, 90)} ms before the fault, ` +
      `${percentileMs(piiWhileDown, 50)}/${percentileMs(piiWhileDown, 90)} ms while the database was out; errors before ${JSON.stringify(reasonCounts(piiBefore))} ` +
      `${JSON.stringify(sampleMessages(piiBefore))}, while out ${JSON.stringify(reasonCounts(piiWhileDown))}`);
    // The answer waits for its audit record, but never past the request's deadline (ADR 0011).
    const slowest = Math.max(...pii.map((o) => o.endedAt - o.startedAt));
    console.log(`[faults] ${label}: PII answer time over the whole run p50 ${percentileMs(pii, 50)} ms, p99 ${percentileMs(pii, 99)} ms, max ${slowest} ms ` +
      `(while out: p50 ${percentileMs(piiWhileDown, 50)}, p99 ${percentileMs(piiWhileDown, 99)}, max ${percentileMs(piiWhileDown, 100)} ms); ` +
      `limit ${DEADLINE_MS} + ${AUDIT_MARGIN_MS} ms; load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    expect(answered.length).toBeGreaterThan(RATE * 30);
    expect(pii.length).toBeGreaterThan(answered.length * 0.8);
    expect(piiWhileDown.length).toBeGreaterThan(RATE * 25);
    expect(percentileMs(piiWhileDown, 90)).toBeLessThan(DEADLINE_MS);
    expect(slowest).toBeLessThanOrEqual(DEADLINE_MS + AUDIT_MARGIN_MS);
    expect(refused).toEqual([]);
    expect(lost).toEqual([]);
    expect(twice).toEqual([]);
    // No record for a request that was not answered.
    const answeredIds = new Set(answered.map((o) => o.requestId));
    expect(rows.filter((r) => !answeredIds.has(r.request_id))).toEqual([]);
    expect(spoolBacklog).toBe(0);
    // And the gateway is ready again by itself.
    await readyAgain(10_000);
  }

  it('audit database down 30 s under load: every PII answer has exactly one audit record afterwards, none later than its deadline', async () => {
    await auditOutage('audit down 30 s', { start: () => stack.auditProxy.kill(), end: () => stack.auditProxy.restart() });
  }, 150_000);

  // Frozen (connections accepted, no byte answered) is the hard case: every database attempt waits for its timeout.
  it('audit database frozen 30 s under load: every PII answer has exactly one audit record afterwards, none later than its deadline', async () => {
    await auditOutage('audit frozen 30 s', { start: () => stack.auditProxy.freeze(), end: () => stack.auditProxy.thaw() });
  }, 150_000);

  it('CRM frozen 30 s: after the first deadline answers keep coming fast, CRM fields coded CRM_UNAVAILABLE, in-flight bounded', async () => {
    const { outcomes, maxInFlight, window } = await run(45_000, {
      at: 3_000, start: () => stack.crmSandbox.freeze(), endAt: 33_000, end: () => stack.crmSandbox.thaw(),
    });
    const during = outcomes.filter((o) => o.startedAt >= window.startedAt && o.endedAt <= window.endedAt);
    const silence = longestSilenceMs(outcomes, window.startedAt, window.endedAt);
    summary('CRM frozen', outcomes, maxInFlight, silence);
    afterFault('CRM frozen', outcomes, window.endedAt);
    expect(silence).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    expect(outcomes.filter((o) => !(o.status === 200 && o.data?.customer?.id))).toEqual([]);
    expect(during.length).toBeGreaterThan(RATE * 25);
    // After the first deadline, answers come fast: the breaker fails the CRM fields at once.
    const late = during.filter((o) => o.startedAt >= window.startedAt + DEADLINE_MS + 1_000);
    console.log(`[faults] CRM frozen, after the first deadline: ${late.length} answers, p50 ${percentileMs(late, 50)} ms, p90 ${percentileMs(late, 90)} ms, reasons ${JSON.stringify(reasonCounts(late))}`);
    for (const o of late.filter((x) => !x.codes.every((c) => c === 'CRM_UNAVAILABLE'))) console.log(`[faults] late non-CRM answer at +${o.startedAt - window.startedAt} ms took ${o.endedAt - o.startedAt} ms: ${o.reasons.join(',')} ${o.firstMessage}`);
    expect(percentileMs(late, 90)).toBeLessThan(500);
    expect(late.filter((o) => o.codes.length === 0 || !o.codes.every((c) => CRM_DOWN.has(c)) || o.data.customer.contacts !== null)).toEqual([]);
    // The CRM subgraph's own coded answer (its breaker), not a timeout of the whole subgraph at the gateway.
    expect(late.filter((o) => !o.codes.every((c) => c === 'CRM_UNAVAILABLE')).length).toBeLessThanOrEqual(Math.floor(late.length * 0.02));
    expect(late.every((o) => o.data.customer.orders !== null)).toBe(true);
    expect(maxInFlight).toBeLessThanOrEqual(RATE * ((DEADLINE_MS + SLACK_MS) / 1000) + 5);
    // And it recovers by itself: once the breaker (open 5 s after its last failure) has let its probe through, answers are whole again.
    expect(recoversWithin(outcomes, window.endedAt, 12_000, (o) => Array.isArray(o.data.customer.contacts) && o.codes.length === 0)).toBe(true);
  }, 150_000);

  it('PostgreSQL frozen 30 s: answers keep coming within the deadline with coded errors, and come back whole', async () => {
    const { outcomes, maxInFlight, window } = await run(48_000, {
      at: 3_000, start: () => stack.postgres.freeze(), endAt: 33_000, end: () => stack.postgres.thaw(),
    });
    const silence = longestSilenceMs(outcomes, window.startedAt, window.endedAt);
    summary('PostgreSQL frozen', outcomes, maxInFlight, silence);
    afterFault('PostgreSQL frozen', outcomes, window.endedAt);
    const serverLog = (await stack.postgres.log()).split('\n').filter((l) => !/^\s*$/.test(l));
    console.log(`[faults] PostgreSQL frozen: the cluster's log says (last 15 of ${serverLog.length} lines):\n${serverLog.slice(-15).join('\n')}`);
    expect(silence).toBeLessThanOrEqual(DEADLINE_MS + SLACK_MS);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    const during = outcomes.filter((o) => o.startedAt >= window.startedAt + DEADLINE_MS + 1_000 && o.endedAt <= window.endedAt);
    console.log(`[faults] PostgreSQL frozen, after the first deadline: ${during.length} answers, p50 ${percentileMs(during, 50)} ms, p90 ${percentileMs(during, 90)} ms, reasons ${JSON.stringify(reasonCounts(during))}`);
    expect(during.length).toBeGreaterThan(RATE * 20);
    const uncoded = during.filter((o) => o.codes.length === 0 || !o.codes.every((c) => DATABASE_DOWN.has(c)));
    for (const o of uncoded.slice(0, 5)) {
      console.log(`[faults] PostgreSQL frozen: answer at +${o.startedAt - window.startedAt} ms took ${o.endedAt - o.startedAt} ms with ${o.reasons.join(',')}: ${JSON.stringify(o.data).slice(0, 300)}`);
    }
    expect(uncoded.map((o) => o.reasons)).toEqual([]);
    expect(percentileMs(during, 90)).toBeLessThan(DEADLINE_MS + SLACK_MS);
    expect(maxInFlight).toBeLessThanOrEqual(RATE * ((DEADLINE_MS + SLACK_MS) / 1000) + 5);
    // And it recovers by itself: once the breakers have let their probes through and the
    // thawed server has worked off what piled up, answers are whole again.
    expect(recoversWithin(outcomes, window.endedAt, 12_000, (o) => o.codes.length === 0 && Boolean(o.data.customer?.orders))).toBe(true);
    await readyAgain(10_000);
  }, 150_000);

});
