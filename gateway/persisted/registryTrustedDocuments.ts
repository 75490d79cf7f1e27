import { validateManifest } from '../../platform/persisted/trustedDocumentManifest.js';
import type { TrustedDocuments } from './trustedDocuments.js';

/**
 * Keeps a gateway's trusted documents in step with the manifests published
 * to the schema registry (`GET /v1/trusted-documents`), polling like the
 * supergraph source does (ADR 0005). A manifest that does not validate is
 * reported and the client keeps its previous one.
 */
export function followRegistryTrustedDocuments(options: {
  registryUrl: string;
  token: string;
  trusted: TrustedDocuments;
  /** @default 1000 */
  pollIntervalMs?: number;
  onError?: (error: Error) => void;
}): { refresh(): Promise<void>; stop(): void } {
  const base = options.registryUrl.replace(/\/+$/, '');
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  async function refresh(): Promise<void> {
    const response = await fetch(`${base}/v1/trusted-documents`, { headers: { authorization: `Bearer ${options.token}` }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`trusted documents: the registry answered ${response.status}`);
    const { clients } = (await response.json()) as { clients: Array<{ client: string; manifest: unknown }> };
    for (const { client, manifest } of clients) {
      try {
        options.trusted.replace(client, validateManifest(manifest));
      } catch (error) {
        options.onError?.(new Error(`trusted documents of "${client}" kept as they were: ${(error as Error).message}`));
      }
    }
  }

  const loop = () => {
    if (stopped) return;
    refresh()
      .catch((error: unknown) => options.onError?.(error as Error))
      .finally(() => {
        if (!stopped) timer = setTimeout(loop, options.pollIntervalMs ?? 1_000);
      });
  };
  loop();
  return {
    refresh,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
