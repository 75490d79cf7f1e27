import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startStack, type RunningStack } from '../../stack/startStack.js';
import { loadStackConfig } from '../../stack/config.js';
import { loadDemoIssuer, type DemoIssuer } from '../../gateway/auth/demoIssuer.js';
import { DEMO_USERS } from '../../gateway/authorization/scopeMatrix.js';
import type { SourceRequestEvent } from '../../platform/sourceRequests.js';

export interface TestStack extends RunningStack {
  /** Every source round trip since the last `resetSourceRequests()`. */
  sourceRequests: SourceRequestEvent[];
  resetSourceRequests(): void;
  /** `{ authorization: 'Bearer …' }` for a demo user (demo-analyst, demo-admin, …; see gateway/authorization/scopeMatrix.ts). */
  headersFor(user: string): Record<string, string>;
  /** The stack's demo issuer (its own keys), to mint tokens with other scopes or lifetimes. */
  issuer: DemoIssuer;
  /** Where that issuer's keys are (private keys included), for tests that forge tokens. */
  demoKeyFile: string;
}

/**
 * The whole system on free ports, as `npm start` runs it, for end-to-end
 * tests: a database of the test's own (or the embedded PGlite), a small seed,
 * security on (demo issuer with keys of this stack's own, a generated gateway
 * proof key), and with `registry: true` the schema registry the gateway follows. `env` overrides the environment the stack reads its config
 * from (e.g. BATCHING_ENABLED, AUTHORIZATION_MODE).
 */
export async function startTestStack(
  options: {
    databaseUrl?: string;
    companies?: number;
    seed?: number;
    env?: Record<string, string>;
    /** Run the schema registry and let the gateway follow it (as `npm start` does). @default false — the e2e suites stay fast */
    registry?: boolean;
  } = {},
): Promise<TestStack> {
  const sourceRequests: SourceRequestEvent[] = [];
  const keyDir = await mkdtemp(path.join(tmpdir(), 'concord-stack-issuer-'));
  const keyFile = path.join(keyDir, 'demo-issuer.json');
  const base = loadStackConfig({ DEMO_ISSUER_KEY_FILE: keyFile, LOG_LEVEL: 'silent', ...options.env });
  let stack: RunningStack;
  try {
    stack = await startStack({
      ...base,
      databaseUrl: options.databaseUrl,
      ports: { gateway: 0, erp: 0, crm: 0, mdm: 0, quality: 0, crmSandbox: 0, registry: 0, pglite: 0, crmWebhooks: 0 },
      seed: { seed: options.seed ?? 42, companies: options.companies ?? 150 },
      registry: options.registry ?? false,
      // The stack's tokens file goes with the issuer keys, not into the repository.
      registrySettings: { ...base.registrySettings, tokensFile: path.join(keyDir, 'registry-tokens.json') },
      onSourceRequest: (event) => sourceRequests.push(event),
    });
  } catch (error) {
    await rm(keyDir, { recursive: true, force: true });
    throw error;
  }
  const auth = base.gateway.security.auth;
  const issuer = await loadDemoIssuer({ keyFile, ...(auth.mode === 'demo' ? { issuer: auth.issuer, audience: auth.audience } : {}) });
  const tokens = new Map<string, string>();
  for (const user of Object.keys(DEMO_USERS)) tokens.set(user, await issuer.issueToken({ user, ttl: '2h' }));
  return {
    ...stack,
    issuer,
    demoKeyFile: keyFile,
    sourceRequests,
    resetSourceRequests: () => {
      sourceRequests.length = 0;
    },
    headersFor(user: string) {
      const token = tokens.get(user);
      if (!token) throw new Error(`no demo user "${user}": expected one of ${[...tokens.keys()].join(', ')}`);
      return { authorization: `Bearer ${token}` };
    },
    async stop() {
      await stack.stop();
      await rm(keyDir, { recursive: true, force: true });
    },
  };
}
