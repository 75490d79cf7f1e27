import { useCallback, useEffect, useRef, useState } from 'react';
import { graphql, isAccessError, type GraphQLErrorItem } from '../api.js';
import { KIND_LABELS, day, money } from '../format.js';

interface SourceRow { system: string; type: string; id: string; label: string | null; date: string | null; stage: string | null; currency: string | null; amount: number | null; value: string | null }
interface Finding {
  id: string; kind: string; key: string; summary: string; state: string; version: number; present: boolean; masterId: string | null; month: string | null;
  stateComment: string | null; stateBy: string | null; stateAt: string | null;
  records: SourceRow[];
  amounts: { crm: number | null; erp: number | null; difference: number | null; currency: string | null } | null;
  conflict: { attribute: string; values: string[]; survivor: string | null; survivorSource: string | null; survivorRule: string | null } | null;
  details: Array<{ name: string; value: string | null }>;
  events: Array<{ id: string; at: string; actor: string; action: string; comment: string | null }>;
}

const FINDING = `query Finding($id: ID!) {
  finding(id: $id) {
    id kind key summary state version present masterId month stateComment stateBy stateAt
    records { system type id label date stage currency amount value }
    amounts { crm erp difference currency }
    conflict { attribute values survivor survivorSource survivorRule }
    details { name value }
    events { id at actor action comment }
  }
}`;

const SYSTEMS = [['crm', 'CRM (HubSpot)'], ['erp', 'ERP (Odoo)'], ['mdm', 'MDM']] as const;
const COMMENT_MAX = 2000;

export function FindingDetail({ id, token, onClose, onChanged }: { id: string; token: string; onClose: () => void; onChanged: () => void }) {
  const [finding, setFinding] = useState<Finding | null>(null);
  const [errors, setErrors] = useState<GraphQLErrorItem[]>([]);
  const [comment, setComment] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);

  const load = useCallback(async () => {
    const answer = await graphql<{ finding: Finding | null }>(FINDING, { id }, token);
    setFinding(answer.data?.finding ?? null);
    setErrors(answer.errors);
  }, [id, token]);

  useEffect(() => { setMessage(null); setComment(''); void load().then(() => heading.current?.focus()); }, [load]);

  async function act(action: 'acknowledgeFinding' | 'resolveFinding') {
    if (!finding) return;
    const answer = await graphql<Record<string, { state: string; version: number }>>(
      `mutation Act($id: ID!, $v: Int!, $c: String!) { ${action}(id: $id, expectedVersion: $v, comment: $c) { id state version } }`,
      { id: finding.id, v: finding.version, c: comment }, token);
    if (answer.errors.length) {
      const e = answer.errors[0];
      setMessage({ kind: 'error', text: `${e.extensions?.code ?? 'ERROR'}: ${e.message}` });
      return;
    }
    setMessage({ kind: 'ok', text: `Finding ${answer.data?.[action]?.state.toLowerCase()}.` });
    setComment('');
    await load();
    onChanged();
  }

  if (!finding) return <aside className="detail" aria-label="Finding">{errors.length ? errors[0].message : 'loading…'}</aside>;
  const amountsHidden = errors.some((e) => isAccessError(e) && (e.path?.includes('amounts') || e.path?.includes('amount')));
  return (
    <aside className="detail" aria-labelledby="finding-title">
      <header>
        <h2 id="finding-title" tabIndex={-1} ref={heading}>{KIND_LABELS[finding.kind]}</h2>
        <button type="button" onClick={onClose} aria-label="Close the finding">×</button>
      </header>
      <p>{finding.summary}</p>
      <p className="meta">State <strong data-testid="finding-state">{finding.state.toLowerCase()}</strong> · version {finding.version}{finding.present ? '' : ' · cleared by the latest run'}
        {finding.stateBy && <> · by {finding.stateBy}{finding.stateComment ? `: “${finding.stateComment}”` : ''}</>}</p>
      {finding.amounts && (
        <dl className="amounts" data-testid="finding-amounts">
          <div><dt>CRM</dt><dd>{money(finding.amounts.crm)}</dd></div>
          <div><dt>ERP</dt><dd>{money(finding.amounts.erp)}</dd></div>
          <div><dt>Difference</dt><dd>{money(finding.amounts.difference)} {finding.amounts.currency ?? ''}</dd></div>
        </dl>
      )}
      {amountsHidden && <p className="note" data-testid="amounts-hidden">Amounts need the finance scope.</p>}
      {finding.conflict && (
        <p>Disagree on <strong>{finding.conflict.attribute}</strong>: {finding.conflict.values.join(' / ')}; survivorship kept <strong>{finding.conflict.survivor ?? '–'}</strong>
          {finding.conflict.survivorSource ? ` from ${finding.conflict.survivorSource}` : ''}{finding.conflict.survivorRule ? ` (${finding.conflict.survivorRule})` : ''}.</p>
      )}
      <div className="sides" data-testid="sides">
        {SYSTEMS.filter(([system]) => finding.records.some((r) => r.system === system)).map(([system, title]) => (
          <section key={system} aria-label={title} data-system={system}>
            <h3>{title}</h3>
            <ul>
              {finding.records.filter((r) => r.system === system).map((r, i) => (
                <li key={`${r.type}-${r.id}-${i}`}>
                  <span className="rtype">{r.type}</span> <strong>{r.id}</strong>{r.label ? ` ${r.label}` : ''}
                  {r.date && <> · {day(r.date)}</>}{r.stage && <> · {r.stage}</>}
                  {r.amount !== null && <> · {money(r.amount)} {r.currency ?? ''}</>}
                  {r.value !== null && <> · <code>{r.value}</code></>}
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
      {finding.details.length > 0 && (
        <dl className="details">{finding.details.map((d) => <div key={d.name}><dt>{d.name}</dt><dd>{d.value}</dd></div>)}</dl>
      )}
      <form className="act" onSubmit={(e) => e.preventDefault()}>
        <label htmlFor="finding-comment">Comment (required, up to {COMMENT_MAX} characters)</label>
        <textarea id="finding-comment" value={comment} onChange={(e) => setComment(e.target.value)} rows={3} />
        <div>
          <button type="button" onClick={() => void act('acknowledgeFinding')} disabled={finding.state !== 'OPEN'}>Acknowledge</button>
          <button type="button" onClick={() => void act('resolveFinding')} disabled={finding.state === 'RESOLVED'}>Resolve</button>
        </div>
        {message && <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind}>{message.text}</p>}
      </form>
      <h3>History</h3>
      <ol className="events">
        {finding.events.map((e) => <li key={e.id}>{e.at.slice(0, 19).replace('T', ' ')} · {e.action} by {e.actor}{e.comment ? `: ${e.comment}` : ''}</li>)}
      </ol>
    </aside>
  );
}
