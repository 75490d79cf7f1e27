import { StrictMode, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { readToken, saveToken } from './api.js';
import { Dashboard } from './pages/Dashboard.js';
import { Quality } from './pages/Quality.js';
import { Steward } from './pages/Steward.js';

/**
 * The console for business users and stewards: reconciliation, data
 * quality, the review queue. Pages are chosen by the URL hash (#/, #/quality,
 * #/steward) so a link or a reload lands on the same page; the token field
 * works like GraphiQL's.
 */
const PAGES = [
  ['#/', 'Reconciliation'],
  ['#/quality', 'Data quality'],
  ['#/steward', 'Steward workspace'],
] as const;

function App() {
  const [hash, setHash] = useState(window.location.hash || '#/');
  const [token, setToken] = useState(readToken());
  const [draft, setDraft] = useState(token);
  window.onhashchange = () => setHash(window.location.hash || '#/');
  return (
    <>
      <header className="top">
        <span className="brand">Concord console</span>
        <nav aria-label="Pages">
          {PAGES.map(([href, label]) => <a key={href} href={href} aria-current={hash === href ? 'page' : undefined}>{label}</a>)}
        </nav>
        <form className="token" onSubmit={(e) => { e.preventDefault(); const t = draft.trim(); saveToken(t); setToken(t); }}>
          <label htmlFor="concord-token">Token</label>
          <input id="concord-token" type="password" autoComplete="off" value={draft} onChange={(e) => setDraft(e.target.value)} placeholder="npx concord token --user demo-finance" />
          <button type="submit">Use token</button>
        </form>
      </header>
      <main key={token}>
        {hash === '#/quality' ? <Quality token={token} /> : hash === '#/steward' ? <Steward token={token} /> : <Dashboard token={token} />}
      </main>
    </>
  );
}

createRoot(document.getElementById('concord-console')!).render(<StrictMode><App /></StrictMode>);
