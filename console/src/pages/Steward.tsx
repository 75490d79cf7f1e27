import { useCallback, useEffect, useState } from 'react';
import { graphql } from '../api.js';

interface Side { system: string; sourceId: string; masterId: string | null; attributes: Array<{ name: string; value: string | null }> }
interface Candidate { id: string; entityType: string; score: number; weight: number | null; left: Side; right: Side; explanation: Array<{ attribute: string; level: string; weight: number; left: string | null; right: string | null }> }
interface HistoryEvent { id: string; at: string; actor: string; action: string; reason: string | null; masterIds: string[] }
interface Golden { entityType: EntityType; id: string; name: string | null; sources: Array<{ system: string; sourceId: string; matchScore: number | null }> }
type EntityType = 'CUSTOMER' | 'PRODUCT';

const QUEUE = `query Queue { reviewQueue(first: 20) { nodes { id entityType score weight
  left { system sourceId masterId attributes { name value } } right { system sourceId masterId attributes { name value } }
  explanation { attribute level weight left right } } } }`;
const HISTORY = 'query History($id: ID) { history(masterId: $id, first: 20) { id at actor action reason masterIds } }';
const GOLDEN: Record<EntityType, string> = {
  CUSTOMER: 'query Golden($id: ID!) { golden: customer(id: $id) { id name sources { system sourceId matchScore } } }',
  PRODUCT: 'query Golden($id: ID!) { golden: product(id: $id) { id name sources { system sourceId matchScore } } }',
};
/** Master ids carry their entity's prefix (cus_…, prd_…). */
const entityTypeOf = (masterId: string): EntityType => (masterId.startsWith('prd_') ? 'PRODUCT' : 'CUSTOMER');

export function Steward({ token }: { token: string }) {
  const [queue, setQueue] = useState<Candidate[]>([]);
  const [masterId, setMasterId] = useState('');
  const [golden, setGolden] = useState<Golden | null>(null);
  const [history, setHistory] = useState<HistoryEvent[]>([]);
  const [mergeIds, setMergeIds] = useState('');
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);

  const loadQueue = useCallback(async () => {
    const a = await graphql<{ reviewQueue: { nodes: Candidate[] } }>(QUEUE, {}, token);
    setQueue(a.data?.reviewQueue?.nodes ?? []);
    if (a.errors.length) setMessage({ kind: 'error', text: `${a.errors[0].extensions?.code ?? ''}: ${a.errors[0].message}` });
  }, [token]);

  const loadGolden = useCallback(async (id: string) => {
    if (!id) return;
    const entityType = entityTypeOf(id);
    const [g, h] = await Promise.all([
      graphql<{ golden: Omit<Golden, 'entityType'> | null }>(GOLDEN[entityType], { id }, token),
      graphql<{ history: HistoryEvent[] }>(HISTORY, { id }, token),
    ]);
    setGolden(g.data?.golden ? { ...g.data.golden, entityType } : null);
    setHistory(h.data?.history ?? []);
    const failed = g.errors[0] ?? h.errors[0];
    if (failed) setMessage({ kind: 'error', text: `${failed.extensions?.code ?? 'ERROR'}: ${failed.message}` });
  }, [token]);

  useEffect(() => { void loadQueue(); }, [loadQueue]);

  async function mutate(query: string, variables: Record<string, unknown>, field: string, done: string) {
    const a = await graphql<Record<string, { masterIds: string[]; event: { id: string } }>>(query, variables, token);
    if (a.errors.length) {
      setMessage({ kind: 'error', text: `${a.errors[0].extensions?.code ?? 'ERROR'}: ${a.errors[0].message}` });
      return;
    }
    const result = a.data?.[field];
    setMessage({ kind: 'ok', text: `${done} (history event ${result?.event.id}).` });
    await loadQueue();
    const id = result?.masterIds[0] ?? masterId;
    setMasterId(id);
    await loadGolden(id);
  }

  const decide = (c: Candidate, accept: boolean) =>
    mutate(`mutation Decide($id: ID!) { ${accept ? 'acceptMatchCandidate' : 'rejectMatchCandidate'}(id: $id, reason: "reviewed in the console") { masterIds event { id } } }`,
      { id: c.id }, accept ? 'acceptMatchCandidate' : 'rejectMatchCandidate', accept ? `Accepted pair ${c.id}` : `Rejected pair ${c.id}`);

  return (
    <section aria-labelledby="steward-title">
      <h1 id="steward-title">Steward workspace</h1>
      {message && <p role={message.kind === 'error' ? 'alert' : 'status'} className={message.kind} data-testid="steward-message">{message.text}</p>}
      <h2>Review queue ({queue.length})</h2>
      <ol className="queue" aria-label="Review queue">
        {queue.map((c) => (
          <li key={c.id} className="candidate" data-candidate={c.id}>
            <header>
              <strong>Pair {c.id}</strong> · {c.entityType.toLowerCase()} · match probability {(c.score * 100).toFixed(1)} %{c.weight !== null ? ` · weight ${c.weight.toFixed(2)}` : ''}
              <span className="actions">
                <button type="button" onClick={() => void decide(c, true)}>Accept</button>
                <button type="button" onClick={() => void decide(c, false)}>Reject</button>
              </span>
            </header>
            <table aria-label={`Evidence for pair ${c.id}`}>
              <thead><tr><th scope="col">Attribute</th><th scope="col">{c.left.system} {c.left.sourceId}</th><th scope="col">{c.right.system} {c.right.sourceId}</th><th scope="col">Level</th><th scope="col" className="num">Contribution</th></tr></thead>
              <tbody>
                {c.explanation.map((e) => (
                  <tr key={e.attribute}>
                    <td>{e.attribute}</td><td>{e.left ?? '–'}</td><td>{e.right ?? '–'}</td><td>{e.level}</td>
                    <td className={`num ${e.weight >= 0 ? 'pos' : 'neg'}`}>{e.weight >= 0 ? '+' : ''}{e.weight.toFixed(2)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <p className="meta">Golden records now: {c.left.masterId ?? '–'} / {c.right.masterId ?? '–'}{' '}
              <button type="button" className="link" onClick={() => { setMasterId(c.left.masterId ?? ''); void loadGolden(c.left.masterId ?? ''); }}>open left</button></p>
          </li>
        ))}
      </ol>

      <h2>Golden record</h2>
      <form className="filters" onSubmit={(e) => { e.preventDefault(); void loadGolden(masterId); }}>
        <label>Master id <input value={masterId} onChange={(e) => setMasterId(e.target.value)} name="masterId" /></label>
        <button type="submit">Open</button>
        <label>Merge into it (master ids, comma-separated) <input value={mergeIds} onChange={(e) => setMergeIds(e.target.value)} name="mergeIds" /></label>
        <button type="button" onClick={() => {
          const field = entityTypeOf(masterId) === 'PRODUCT' ? 'mergeProducts' : 'mergeCustomers';
          void mutate(`mutation Merge($ids: [ID!]!) { ${field}(ids: $ids, reason: "merged in the console") { masterIds event { id } } }`,
            { ids: [masterId, ...mergeIds.split(',').map((s) => s.trim()).filter(Boolean)] }, field, 'Merged');
        }}>Merge</button>
      </form>
      {golden && (
        <div className="golden" data-testid="golden">
          <p><strong>{golden.name}</strong> ({golden.entityType.toLowerCase()} {golden.id})</p>
          <ul aria-label="Source records">
            {golden.sources.map((s) => (
              <li key={`${s.system}-${s.sourceId}`} data-source={`${s.system}:${s.sourceId}`}>
                {s.system} {s.sourceId} · score {s.matchScore ?? 'founder'}{' '}
                <button type="button" onClick={() => void mutate(`mutation Unmerge($entityType: EntityType!, $system: SourceSystem!, $id: ID!) { unmergeSourceRecord(entityType: $entityType, system: $system, sourceId: $id, reason: "unmerged in the console") { masterIds event { id } } }`,
                  { entityType: golden.entityType, system: s.system, id: s.sourceId }, 'unmergeSourceRecord', `Unmerged ${s.system} ${s.sourceId}`)}>Unmerge</button>
              </li>
            ))}
          </ul>
          <h3>History</h3>
          <ol className="events" aria-label="History">
            {history.map((e) => (
              <li key={e.id} data-event={e.id}>
                {e.at.slice(0, 19).replace('T', ' ')} · {e.action} by {e.actor}{e.reason ? ` (${e.reason})` : ''}{' '}
                {['accept', 'merge', 'unmerge', 'reject', 'update', 'join', 'split'].includes(e.action) && (
                  <button type="button" onClick={() => void mutate('mutation Undo($id: ID!) { undoHistoryEvent(eventId: $id, reason: "undone in the console") { masterIds event { id } } }',
                    { id: e.id }, 'undoHistoryEvent', `Undid event ${e.id}`)}>Undo</button>
                )}
              </li>
            ))}
          </ol>
        </div>
      )}
    </section>
  );
}
