import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { parse } from 'graphql';
import { registerSchemaCommands } from '../../schema/cli/commands.js';
import { buildGuardedSubgraphSchema } from '../../platform/auth/guardedSchema.js';
import type { GatewayProofKey } from '../../platform/auth/gatewayProof.js';
import { startSubgraphServer, type RunningSubgraph } from '../../platform/index.js';

/**
 * Shared pieces of the registry scenarios (issue 5): a small extra domain
 * subgraph ("promotions", team "marketing") served by the kit exactly like
 * ERP/CRM/MDM (gateway proof, shield rules from its SDL), `concord schema …`
 * run in-process, and polling helpers that measure how long a change took.
 */

export const MARKETING_TOKEN = 'marketing-publish-token-for-tests';
/** Given to the stack as REGISTRY_TOKENS: the marketing team's publish token (the rest are generated). */
export const REGISTRY_ENV = { REGISTRY_TOKENS: `publish:marketing:${MARKETING_TOKEN}` };

const LINK = 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated"])';

export const PROMOTIONS_V1 = `${LINK}
type Query {
  "Current promotions, for signed-in callers."
  promotions: [Promotion!]! @authenticated
}
type Promotion @key(fields: "code") {
  code: ID!
  label: String!
  note: String
}
`;

/** v2: a safe additive change, Promotion.discountPercent. */
export const PROMOTIONS_V2 = PROMOTIONS_V1.replace('  note: String\n', '  note: String\n  discountPercent: Int\n');
/** v1 without Promotion.label: breaking for any client that asked for it. */
export const PROMOTIONS_WITHOUT_LABEL = PROMOTIONS_V1.replace('  label: String!\n', '');
/** v1 without Promotion.note: breaking in principle, used by nobody. */
export const PROMOTIONS_WITHOUT_NOTE = PROMOTIONS_V1.replace('  note: String\n', '');
/** Redefines the MDM's Customer.name as Int: the subgraphs no longer compose. */
export const PROMOTIONS_CONFLICTING = `${PROMOTIONS_V1}
type Customer @key(fields: "id") {
  id: ID!
  name: Int
}
`;

const PROMOTIONS = [
  { code: 'SPRING10', label: 'Spring sale', note: 'ends in May', discountPercent: 10 },
  { code: 'BULK5', label: 'Bulk orders', note: null, discountPercent: 5 },
];

/**
 * Starts the promotions subgraph serving exactly `sdl` (fields not in it are
 * denied by the kit's shield), checking the stack's gateway proof.
 */
export async function startPromotionsSubgraph(sdl: string, gatewayProofKey: GatewayProofKey): Promise<RunningSubgraph> {
  const resolvers = {
    Query: { promotions: () => PROMOTIONS },
    Promotion: { __resolveReference: (ref: { code: string }) => PROMOTIONS.find((p) => p.code === ref.code) ?? null },
  };
  return startSubgraphServer({
    name: 'promotions',
    schema: buildGuardedSubgraphSchema(parse(sdl), resolvers),
    port: 0,
    host: '127.0.0.1',
    gatewayProofKey,
    createContext: () => ({}),
  });
}

class Exit extends Error {
  constructor(readonly code: number) {
    super(`exit ${code}`);
  }
}

/** A folder for SDL files handed to the CLI; `file(name, sdl)` writes one and returns its path. */
export async function sdlFolder(): Promise<{ file(name: string, sdl: string): Promise<string>; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'concord-registry-e2e-'));
  return {
    async file(name, sdl) {
      const target = path.join(dir, `${name}.graphql`);
      await writeFile(target, sdl);
      return target;
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Runs `concord …` in-process, as bin/concord.ts wires the schema commands; returns the exit code and output. */
export async function concord(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const program = new Command('concord').exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  registerSchemaCommands(program, { stdout: (t) => (stdout += `${t}\n`), stderr: (t) => (stderr += `${t}\n`), exit: (code) => { throw new Exit(code); } });
  try {
    await program.parseAsync(args, { from: 'user' });
    return { code: 0, stdout, stderr };
  } catch (error) {
    if (error instanceof Exit) return { code: error.code, stdout, stderr };
    if ((error as { exitCode?: number }).exitCode !== undefined) return { code: (error as { exitCode: number }).exitCode, stdout, stderr };
    throw error;
  }
}

/** Polls `probe` every `everyMs` until it returns true; resolves with the milliseconds it took, rejects after `timeoutMs`. */
export async function waitUntil(probe: () => Promise<boolean>, options: { timeoutMs?: number; everyMs?: number; what?: string } = {}): Promise<number> {
  const started = performance.now();
  const deadline = started + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (await probe()) return Math.round(performance.now() - started);
    if (performance.now() > deadline) throw new Error(`timed out after ${options.timeoutMs ?? 10_000} ms waiting for ${options.what ?? 'a condition'}`);
    await sleep(options.everyMs ?? 25);
  }
}

/** The supergraph a gateway serves now, from its /health. */
export async function servedSupergraph(gatewayUrl: string): Promise<{ id: string; reloads: number; lastRejection?: { reason: string } }> {
  const response = await fetch(gatewayUrl.replace(/\/graphql$/, '/health'));
  return ((await response.json()) as { supergraph: { id: string; reloads: number; lastRejection?: { reason: string } } }).supergraph;
}
