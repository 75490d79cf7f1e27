import { startStack, type RunningStack } from '../../stack/startStack.js';
import { loadStackConfig } from '../../stack/config.js';
import type { SourceRequestEvent } from '../../subgraphs/kit/sourceRequests.js';

export interface TestStack extends RunningStack {
  /** Every source round trip since the last `resetSourceRequests()`. */
  sourceRequests: SourceRequestEvent[];
  resetSourceRequests(): void;
  /** Authorization headers of a demo user (see gateway/auth). */
  headersFor(user: string): Record<string, string>;
}

/**
 * The whole system on free ports, as `npm start` runs it, for end-to-end
 * tests: a database of the test's own (or the embedded PGlite), a small seed.
 */
export async function startTestStack(options: { databaseUrl?: string; companies?: number; seed?: number } = {}): Promise<TestStack> {
  const sourceRequests: SourceRequestEvent[] = [];
  const base = loadStackConfig({});
  const stack = await startStack({
    ...base,
    databaseUrl: options.databaseUrl,
    ports: { gateway: 0, erp: 0, crm: 0, mdm: 0, crmSandbox: 0, registry: 0, pglite: 0 },
    seed: { seed: options.seed ?? 42, companies: options.companies ?? 150 },
    registry: false,
    onSourceRequest: (event) => sourceRequests.push(event),
  });
  return {
    ...stack,
    sourceRequests,
    resetSourceRequests: () => {
      sourceRequests.length = 0;
    },
    headersFor: () => ({}),
  };
}
