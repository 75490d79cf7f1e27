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

/** One more part of readiness the gateway's host adds (the stack's live-change pipeline). */
export type ReadinessComponentCheck = () => Promise<{ healthy: boolean; reasons: string[] }>;

export interface GatewayReadiness {
  ready: boolean;
  supergraphLoaded: boolean;
  subgraphs: Record<string, SubgraphReadiness>;
  /** The host's own parts, when it gave any: each healthy or not, with its reasons. */
  components?: Record<string, { healthy: boolean; reasons: string[] }>;
  checkedAt: string;
}

export function createReadinessCheck(options: {
  supergraphLoaded(): boolean;
  /** name → GraphQL URL of every subgraph the serving supergraph routes to. */
  subgraphs(): ReadonlyMap<string, string>;
  timeoutMs: number;
  cacheMs: number;
  /** Checked beside the subgraphs, each within `timeoutMs`; one unhealthy makes the gateway not ready. */
  components?: Readonly<Record<string, ReadinessComponentCheck>>;
}): () => Promise<GatewayReadiness> {
  let last: { at: number; answer: Promise<GatewayReadiness> } | undefined;

  async function check(): Promise<GatewayReadiness> {
    const entries = [...options.subgraphs()];
    const [results, parts] = await Promise.all([
      Promise.all(entries.map(async ([name, url]) => [name, await probe(url, options.timeoutMs)] as const)),
      Promise.all(Object.entries(options.components ?? {}).map(async ([name, part]) => [name, await checkComponent(part, options.timeoutMs)] as const)),
    ]);
    const subgraphs = Object.fromEntries(results);
    const supergraphLoaded = options.supergraphLoaded();
    return {
      ready: supergraphLoaded && results.every(([, r]) => r.ready) && parts.every(([, p]) => p.healthy),
      supergraphLoaded,
      subgraphs,
      ...(options.components ? { components: Object.fromEntries(parts) } : {}),
      checkedAt: new Date().toISOString(),
    };
  }

  return () => {
    const now = Date.now();
    if (!last || now - last.at >= options.cacheMs) last = { at: now, answer: check() };
    return last.answer;
  };
}

async function checkComponent(check: ReadinessComponentCheck, timeoutMs: number): Promise<{ healthy: boolean; reasons: string[] }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      check(),
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs); }),
    ]);
  } catch (error) {
    return { healthy: false, reasons: [(error as Error).message] };
  } finally {
    clearTimeout(timer);
  }
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
