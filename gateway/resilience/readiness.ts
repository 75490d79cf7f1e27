/**
 * The gateway's readiness: a supergraph is loaded and every subgraph it
 * routes to answers its own GET /ready within the timeout. Checked at most
 * once per `cacheMs` whatever the number of probes, each subgraph in
 * parallel. A subgraph that has no /ready (404: not a Concord subgraph) counts
 * as ready once it answers at all.
 */
export interface SubgraphReadiness {
  ready: boolean;
  status?: number;
  reason?: string;
}

export interface GatewayReadiness {
  ready: boolean;
  supergraphLoaded: boolean;
  subgraphs: Record<string, SubgraphReadiness>;
  checkedAt: string;
}

export function createReadinessCheck(options: {
  supergraphLoaded(): boolean;
  /** name → GraphQL URL of every subgraph the serving supergraph routes to. */
  subgraphs(): ReadonlyMap<string, string>;
  timeoutMs: number;
  cacheMs: number;
}): () => Promise<GatewayReadiness> {
  let last: { at: number; answer: Promise<GatewayReadiness> } | undefined;

  async function check(): Promise<GatewayReadiness> {
    const entries = [...options.subgraphs()];
    const results = await Promise.all(entries.map(async ([name, url]) => [name, await probe(url, options.timeoutMs)] as const));
    const subgraphs = Object.fromEntries(results);
    const supergraphLoaded = options.supergraphLoaded();
    return {
      ready: supergraphLoaded && results.every(([, r]) => r.ready),
      supergraphLoaded,
      subgraphs,
      checkedAt: new Date().toISOString(),
    };
  }

  return () => {
    const now = Date.now();
    if (!last || now - last.at >= options.cacheMs) last = { at: now, answer: check() };
    return last.answer;
  };
}

async function probe(graphqlUrl: string, timeoutMs: number): Promise<SubgraphReadiness> {
  const url = new URL(graphqlUrl);
  url.pathname = '/ready';
  url.search = '';
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer().catch(() => undefined);
    if (response.ok || response.status === 404) return { ready: true, status: response.status };
    return { ready: false, status: response.status, reason: `answered ${response.status}` };
  } catch (error) {
    const name = (error as Error).name;
    return { ready: false, reason: name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : 'unreachable' };
  }
}
