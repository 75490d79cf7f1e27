import { useCallback, useEffect, useMemo, useState } from 'react';
import { Bar, BarChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { graphql, isAccessError, type GraphQLErrorItem } from '../api.js';
import { KIND_COLORS, KIND_LABELS, KINDS, day, money, toCsv } from '../format.js';
import { FindingDetail } from './FindingDetail.js';

interface KindSummary { kind: string; open: number; acknowledged: number; resolved: number; total: number }
interface Run { id: string; job: string; status: string; startedAt: string; counts: Array<{ kind: string; count: number }> }
interface Month { month: string; customers: number; totals: { crm: number; erp: number; difference: number } | null }
export interface FindingRow { id: string; kind: string; summary: string; state: string; month: string | null; firstSeenAt: string; version: number; amounts: { difference: number | null; currency: string | null } | null }

const OVERVIEW = `query Overview {
  reconciliationSummary { kinds { kind open acknowledged resolved total } latestRuns { job status startedAt } }
  reconciliationRuns(first: 200) { id job status startedAt counts { kind count } }
  mismatchedTotalsByMonth { month customers totals { crm erp difference } }
}`;

const FINDINGS = `query Findings($filter: FindingFilter, $first: Int, $after: String) {
  findings(filter: $filter, first: $first, after: $after) {
    totalCount endCursor hasNextPage
    nodes { id kind summary state month firstSeenAt version amounts { difference currency } }
  }
}`;

const PAGE = 25;

export function Dashboard({ token }: { token: string }) {
  const [summary, setSummary] = useState<KindSummary[]>([]);
  const [runs, setRuns] = useState<Run[]>([]);
  const [months, setMonths] = useState<Month[]>([]);
  const [errors, setErrors] = useState<GraphQLErrorItem[]>([]);
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const [text, setText] = useState('');
  const [page, setPage] = useState<{ rows: FindingRow[]; total: number; cursors: Array<string | null>; next: string | null }>({ rows: [], total: 0, cursors: [null], next: null });
  const [selected, setSelected] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const filter = useMemo(() => ({ kinds: kind ? [kind] : null, states: state ? [state] : null, text: text.trim() || null }), [kind, state, text]);

  const loadOverview = useCallback(async () => {
    const answer = await graphql<{ reconciliationSummary: { kinds: KindSummary[] }; reconciliationRuns: Run[]; mismatchedTotalsByMonth: Month[] }>(OVERVIEW, {}, token);
    setSummary(answer.data?.reconciliationSummary?.kinds ?? []);
    setRuns(answer.data?.reconciliationRuns ?? []);
    setMonths(answer.data?.mismatchedTotalsByMonth ?? []);
    setErrors(answer.errors);
  }, [token]);

  const loadFindings = useCallback(async (after: string | null, cursors: Array<string | null>) => {
    setBusy(true);
    const answer = await graphql<{ findings: { totalCount: number; endCursor: string | null; hasNextPage: boolean; nodes: FindingRow[] } }>(FINDINGS, { filter, first: PAGE, after }, token);
    setBusy(false);
    const found = answer.data?.findings;
    setPage({ rows: found?.nodes ?? [], total: found?.totalCount ?? 0, cursors, next: found?.hasNextPage ? found.endCursor : null });
  }, [filter, token]);

  useEffect(() => { void loadOverview(); }, [loadOverview]);
  useEffect(() => { void loadFindings(null, [null]); }, [loadFindings]);

  const financeHidden = errors.some((e) => isAccessError(e) && e.path?.includes('totals'));
  const trend = useMemo(() => {
    // One point per run, oldest first; each job's run carries the counts of its own kinds.
    const points: Array<Record<string, number | string>> = [];
    const last: Record<string, number> = {};
    for (const run of [...runs].reverse()) {
      if (run.status !== 'succeeded' || run.job === 'QUALITY_PROFILE') continue;
      for (const c of run.counts) last[c.kind] = c.count;
      points.push({ at: run.startedAt.slice(0, 16).replace('T', ' '), ...last });
    }
    return points;
  }, [runs]);
  const kindsInTrend = KINDS.filter((k) => trend.some((p) => p[k] !== undefined));

  async function exportCsv() {
    const rows: FindingRow[] = [];
    let after: string | null = null;
    do {
      const answer: Awaited<ReturnType<typeof graphql<{ findings: { endCursor: string | null; hasNextPage: boolean; nodes: FindingRow[] } }>>> =
        await graphql(FINDINGS, { filter, first: 500, after }, token);
      const found = answer.data?.findings;
      rows.push(...(found?.nodes ?? []));
      after = found?.hasNextPage ? found.endCursor : null;
    } while (after && rows.length < 50_000);
    const csv = toCsv(rows.map((r) => ({ ...r, kind: KIND_LABELS[r.kind] ?? r.kind, difference: r.amounts?.difference ?? '', currency: r.amounts?.currency ?? '' })),
      ['id', 'kind', 'state', 'summary', 'month', 'firstSeenAt', 'difference', 'currency']);
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([csv], { type: 'text/csv;charset=utf-8' }));
    link.download = `concord-findings-${new Date().toISOString().slice(0, 10)}.csv`;
    link.click();
    URL.revokeObjectURL(link.href);
  }

  return (
    <section aria-labelledby="dashboard-title">
      <h1 id="dashboard-title">Reconciliation</h1>
      <ul className="tiles" aria-label="Findings by kind">
        {summary.filter((k) => k.total > 0 || ['DEAL_WON_WITHOUT_ERP_SALE', 'MONTHLY_TOTAL_MISMATCH', 'ATTRIBUTE_CONFLICT'].includes(k.kind)).map((k) => (
          <li key={k.kind} className="tile" style={{ borderTopColor: KIND_COLORS[k.kind] }}>
            <button type="button" onClick={() => setKind(k.kind)} aria-label={`${KIND_LABELS[k.kind]}: ${k.total} findings, ${k.open} open; show them`} data-kind={k.kind}>
              <span className="tile-count" data-testid={`tile-${k.kind}`}>{k.total}</span>
              <span className="tile-label">{KIND_LABELS[k.kind]}</span>
              <span className="tile-sub">{k.open} open · {k.acknowledged} acknowledged · {k.resolved} resolved</span>
            </button>
          </li>
        ))}
      </ul>

      <div className="charts">
        <figure className="chart">
          <figcaption>Findings by kind over time</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <LineChart data={trend} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="at" tick={{ fontSize: 11 }} />
              <YAxis tick={{ fontSize: 11 }} />
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              {kindsInTrend.map((k) => <Line key={k} type="monotone" dataKey={k} name={KIND_LABELS[k]} stroke={KIND_COLORS[k]} dot={false} connectNulls isAnimationActive={false} />)}
            </LineChart>
          </ResponsiveContainer>
        </figure>
        <figure className="chart">
          <figcaption>Mismatched totals by month{financeHidden ? ' (amounts need the finance scope)' : ''}</figcaption>
          <ResponsiveContainer width="100%" height={220}>
            <BarChart data={months.map((m) => ({ month: m.month, customers: m.customers, difference: m.totals?.difference }))} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" tick={{ fontSize: 11 }} />
              <YAxis yAxisId="n" tick={{ fontSize: 11 }} />
              {!financeHidden && <YAxis yAxisId="amount" orientation="right" tick={{ fontSize: 11 }} />}
              <Tooltip />
              <Legend wrapperStyle={{ fontSize: 11 }} />
              <Bar yAxisId="n" dataKey="customers" name="customers" fill="#8e44ad" isAnimationActive={false} />
              {!financeHidden && <Bar yAxisId="amount" dataKey="difference" name="CRM − ERP" fill="#2471a3" isAnimationActive={false} />}
            </BarChart>
          </ResponsiveContainer>
        </figure>
      </div>

      <form className="filters" aria-label="Filter findings" onSubmit={(e) => e.preventDefault()}>
        <label>Kind
          <select value={kind} onChange={(e) => setKind(e.target.value)} name="kind">
            <option value="">all kinds</option>
            {KINDS.map((k) => <option key={k} value={k}>{KIND_LABELS[k]}</option>)}
          </select>
        </label>
        <label>State
          <select value={state} onChange={(e) => setState(e.target.value)} name="state">
            <option value="">any state</option>
            <option value="OPEN">open</option>
            <option value="ACKNOWLEDGED">acknowledged</option>
            <option value="RESOLVED">resolved</option>
          </select>
        </label>
        <label>Search
          <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="customer, deal, month…" name="text" />
        </label>
        <button type="button" onClick={() => void exportCsv()}>Export CSV</button>
        <output aria-live="polite" data-testid="findings-total">{busy ? 'loading…' : `${page.total} findings`}</output>
      </form>

      <div className="split">
        <table className="findings" aria-label="Findings">
          <thead>
            <tr><th scope="col">Kind</th><th scope="col">Summary</th><th scope="col">State</th><th scope="col">First seen</th><th scope="col" className="num">Difference</th></tr>
          </thead>
          <tbody>
            {page.rows.map((row) => (
              <tr key={row.id} aria-selected={row.id === selected} className={row.id === selected ? 'selected' : ''}>
                <td><span className="kind-dot" style={{ background: KIND_COLORS[row.kind] }} />{KIND_LABELS[row.kind]}</td>
                <td><button type="button" className="link" onClick={() => setSelected(row.id)} data-finding={row.id}>{row.summary}</button></td>
                <td>{row.state.toLowerCase()}</td>
                <td>{day(row.firstSeenAt)}</td>
                <td className="num" data-testid="amount">{row.amounts ? `${money(row.amounts.difference)} ${row.amounts.currency ?? ''}` : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {selected && <FindingDetail id={selected} token={token} onClose={() => setSelected(null)} onChanged={() => { void loadOverview(); void loadFindings(page.cursors.at(-1) ?? null, page.cursors); }} />}
      </div>
      <nav className="pager" aria-label="Findings pages">
        <button type="button" disabled={page.cursors.length <= 1} onClick={() => void loadFindings(page.cursors.at(-2) ?? null, page.cursors.slice(0, -1))}>Previous</button>
        <span>page {page.cursors.length} of {Math.max(1, Math.ceil(page.total / PAGE))}</span>
        <button type="button" disabled={!page.next} onClick={() => void loadFindings(page.next, [...page.cursors, page.next])}>Next</button>
      </nav>
    </section>
  );
}
