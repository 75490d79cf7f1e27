import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';

/**
 * `concord subgraph new <name>`: writes a new domain subgraph that starts
 * from the project's kit and conventions (the shape of subgraphs/erp): typed
 * config from the environment, a pg pool when the team has a database, a
 * per-request DataLoader over its source, the kit's security (the gateway
 * proof checked on every request, graphql-shield rules and PII masks derived
 * from the SDL's @authenticated / @requiresScopes / @pii, as ADR 0003 asks of
 * every subgraph), Apollo subgraph served by the kit's node:http server with
 * GET /health, a passing test, and the registry publish step in its README.
 */
export interface ScaffoldOptions {
  /** Subgraph name: lower-case letters, digits and dashes, starting with a letter (becomes its name in the supergraph). */
  name: string;
  /** Folder the subgraph folder is created in. @default 'subgraphs' */
  parentDir?: string;
  /** Import path of the kit as seen from the new folder. @default '../../platform/index.js' */
  kitImport?: string;
  /** Import path of the kit's security (gateway proof, guarded schema). @default kitImport's folder + 'auth/index.js' */
  kitAuthImport?: string;
  /** Default port of the new subgraph. @default 4100 */
  port?: number;
  /** Owning team, written into the README's publish step. @default the subgraph name */
  team?: string;
  /** Overwrite a non-empty folder. @default false */
  force?: boolean;
}

export class ScaffoldError extends Error {
  readonly code = 'SCAFFOLD_INVALID';
}

export function subgraphNames(name: string): { name: string; pascal: string; camel: string; constant: string } {
  if (!/^[a-z][a-z0-9-]{1,39}$/.test(name) || name.endsWith('-')) {
    throw new ScaffoldError(`subgraph name "${name}": expected 2–40 lower-case letters, digits or dashes, starting with a letter`);
  }
  if (['kit', 'erp', 'crm', 'mdm'].includes(name)) throw new ScaffoldError(`subgraph name "${name}" is taken by the project`);
  const words = name.split('-').filter(Boolean);
  const pascal = words.map((w) => w[0].toUpperCase() + w.slice(1)).join('');
  return { name, pascal, camel: pascal[0].toLowerCase() + pascal.slice(1), constant: words.join('_').toUpperCase() };
}

/** Writes the subgraph's files; returns their paths. */
export async function scaffoldSubgraph(options: ScaffoldOptions): Promise<string[]> {
  const names = subgraphNames(options.name);
  const dir = path.resolve(options.parentDir ?? 'subgraphs', names.name);
  const existing = await readdir(dir).catch(() => [] as string[]);
  if (existing.length && !options.force) throw new ScaffoldError(`${dir} exists and is not empty (use --force to overwrite)`);
  await mkdir(dir, { recursive: true });
  const kit = options.kitImport ?? '../../platform/index.js';
  const kitAuth = options.kitAuthImport ?? kit.replace(/(^|\/)index\.js$/, '$1auth/index.js');
  const files = renderSubgraph({ ...names, kit, kitAuth, port: options.port ?? 4100, team: options.team ?? names.name });
  const written: string[] = [];
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(dir, file);
    await writeFile(target, content);
    written.push(target);
  }
  return written;
}

export function registerSubgraphCommands(program: Command, io: { stdout(text: string): void } = { stdout: (t) => console.log(t) }): Command {
  const subgraph = program.command('subgraph').description('domain subgraph tooling');
  subgraph
    .command('new <name>')
    .description('scaffold a new domain subgraph from the Concord kit')
    .option('--dir <folder>', 'where to create it', 'subgraphs')
    .option('--port <port>', 'its default port', '4100')
    .option('--team <team>', 'owning team (for the registry publish step)')
    .option('--force', 'overwrite a non-empty folder')
    .action(async (name: string, options: { dir: string; port: string; team?: string; force?: boolean }) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 1 || port > 65535) throw new ScaffoldError(`--port: expected 1–65535, got "${options.port}"`);
      const files = await scaffoldSubgraph({ name, parentDir: options.dir, port, team: options.team, force: options.force });
      const rel = path.relative(process.cwd(), path.dirname(files[0])) || '.';
      io.stdout(`Created subgraph "${name}" in ${rel}:\n${files.map((f) => '  ' + path.basename(f)).join('\n')}\n\nNext: npx vitest run ${rel} — then see ${rel}/README.md to publish it.`);
    });
  return subgraph;
}

interface Names {
  name: string;
  pascal: string;
  camel: string;
  constant: string;
  kit: string;
  kitAuth: string;
  port: number;
  team: string;
}

function renderSubgraph(n: Names): Record<string, string> {
  const item = `${n.pascal}Item`;
  return {
    'schema.graphql': `extend schema @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@authenticated", "@requiresScopes"])

"""
An example entity of the ${n.name} domain: replace with your own types.
Access is declared here and enforced twice, by the gateway and by this
subgraph's shield rules: @authenticated (any signed-in caller) or
@requiresScopes(scopes: [["some:scope"]]) on a type or field.
"""
type ${item} @key(fields: "id") @authenticated {
  id: ID!
  name: String!
}

type Query {
  ${n.camel}Item(id: ID!): ${item}
}
`,
    'typeDefs.ts': `import { readFileSync } from 'node:fs';
import { parse } from 'graphql';

/** The subgraph's SDL lives in schema.graphql so the registry publish step can send the same file. */
export const ${n.camel}TypeDefsSource = readFileSync(new URL('./schema.graphql', import.meta.url), 'utf8');
export const ${n.camel}TypeDefs = parse(${n.camel}TypeDefsSource);
`,
    'source.ts': `/**
 * The ${n.name} source: replace this stand-in with your system (SQL through
 * the kit's pg pool with WHERE id = ANY($1), or an HTTP API through the kit's
 * client). Keep one method per batched read: loaders call it once per tick.
 */
export interface ${n.pascal}Row {
  id: string;
  name: string;
}

export interface ${n.pascal}Source {
  itemsById(ids: readonly string[]): Promise<${n.pascal}Row[]>;
  ping(): Promise<void>;
}

export function createSample${n.pascal}Source(rows: ${n.pascal}Row[] = [{ id: '1', name: 'first ${n.name} item' }]): ${n.pascal}Source {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return {
    async itemsById(ids) {
      return ids.flatMap((id) => (byId.has(id) ? [byId.get(id)!] : []));
    },
    async ping() {},
  };
}
`,
    'loaders.ts': `import type DataLoader from 'dataloader';
import { createSourceLoader, type SourceRequestListener } from '${n.kit}';
import type { ${n.pascal}Row, ${n.pascal}Source } from './source.js';

export interface ${n.pascal}Loaders {
  itemById: DataLoader<string, ${n.pascal}Row | null>;
}

/** Fresh per request: no cached row crosses requests or callers. */
export function create${n.pascal}Loaders(source: ${n.pascal}Source, onSourceRequest?: SourceRequestListener): ${n.pascal}Loaders {
  return {
    itemById: createSourceLoader<string, ${n.pascal}Row | null>({
      source: '${n.name}',
      operation: 'items.byId',
      onSourceRequest,
      missing: () => null,
      fetchMany: async (ids) => new Map((await source.itemsById(ids)).map((row) => [row.id, row])),
    }),
  };
}
`,
    'resolvers.ts': `import type { Principal } from '${n.kitAuth}';
import type { ${n.pascal}Loaders } from './loaders.js';

export interface ${n.pascal}Context {
  loaders: ${n.pascal}Loaders;
  /** The caller the gateway vouched for (from its proof); the shield rules read it. */
  principal?: Principal;
}

export const ${n.camel}Resolvers = {
  Query: {
    ${n.camel}Item: (_: unknown, args: { id: string }, context: ${n.pascal}Context) => context.loaders.itemById.load(args.id),
  },
  ${item}: {
    // The gateway resolves references in batches; the loader turns them into one source read.
    __resolveReference: (reference: { id: string }, context: ${n.pascal}Context) => context.loaders.itemById.load(reference.id),
  },
};
`,
    'schema.ts': `import type { GraphQLSchema } from 'graphql';
import type { SourceRequestListener } from '${n.kit}';
import { buildGuardedSubgraphSchema } from '${n.kitAuth}';
import { create${n.pascal}Loaders } from './loaders.js';
import { ${n.camel}Resolvers, type ${n.pascal}Context } from './resolvers.js';
import type { ${n.pascal}Source } from './source.js';
import { ${n.camel}TypeDefs } from './typeDefs.js';

/**
 * The executable schema with the kit's guards, all read from schema.graphql:
 * shield rules from @authenticated / @requiresScopes (deny by default),
 * guarded __resolveReference, @pii masks — the same as ERP, CRM and MDM.
 */
export function build${n.pascal}Schema(): GraphQLSchema {
  return buildGuardedSubgraphSchema(${n.camel}TypeDefs, ${n.camel}Resolvers);
}

export function create${n.pascal}Context(deps: { source: ${n.pascal}Source; onSourceRequest?: SourceRequestListener }): ${n.pascal}Context {
  return { loaders: create${n.pascal}Loaders(deps.source, deps.onSourceRequest) };
}
`,
    'config.ts': `import { readBool, readInt, readString, readUrl } from '${n.kit}';
import { readGatewayProofSettings, type GatewayProofSettings } from '${n.kitAuth}';

type Env = Record<string, string | undefined>;

export interface ${n.pascal}SubgraphConfig {
  /** ${n.constant}_SUBGRAPH_PORT. 0 = a free port (tests). @default ${n.port} */
  port: number;
  /** HOST. @default '127.0.0.1' */
  host: string;
  /** ${n.constant}_DATABASE_URL, else DATABASE_URL: the domain's database, if it has one. */
  databaseUrl?: string;
  /** CONCORD_PRODUCTION (default: NODE_ENV=production): no stack traces, no introspection. */
  production: boolean;
  /**
   * How the gateway's proof is checked on every request: CONCORD_GATEWAY_PROOF_SECRET
   * (shared with the gateway, >= 32 characters) or CONCORD_GATEWAY_PROOF_PUBLIC_KEY
   * (Ed25519 SPKI PEM). Required: the subgraph refuses to start without one.
   */
  gatewayProof: GatewayProofSettings;
}

export function load${n.pascal}SubgraphConfig(env: Env): ${n.pascal}SubgraphConfig {
  return {
    port: readInt(env, '${n.constant}_SUBGRAPH_PORT', ${n.port}, { max: 65_535 }),
    host: readString(env, 'HOST', '127.0.0.1'),
    databaseUrl: readUrl(env, '${n.constant}_DATABASE_URL') ?? readUrl(env, 'DATABASE_URL'),
    production: readBool(env, 'CONCORD_PRODUCTION', env.NODE_ENV === 'production'),
    gatewayProof: readGatewayProofSettings(env),
  };
}
`,
    'server.ts': `import { createPool, startSubgraphServer, type RunningSubgraph, type SourceRequestListener } from '${n.kit}';
import { resolveGatewayProofKey, type GatewayProofKey, type GatewayProofSettings } from '${n.kitAuth}';
import type { ${n.pascal}SubgraphConfig } from './config.js';
import { build${n.pascal}Schema, create${n.pascal}Context } from './schema.js';
import { createSample${n.pascal}Source, type ${n.pascal}Source } from './source.js';

export interface ${n.pascal}SubgraphOptions extends Omit<${n.pascal}SubgraphConfig, 'production' | 'gatewayProof'> {
  /**
   * The key the gateway's proof is checked with (a key, e.g. the stack's, or
   * settings from the environment). Every /graphql request without a valid
   * proof — _service and _entities included — is answered 401.
   */
  gatewayProof: GatewayProofKey | GatewayProofSettings;
  /** @default false */
  production?: boolean;
  /** The domain source; defaults to the sample stand-in until the team wires its system. */
  source?: ${n.pascal}Source;
  /** Told of every source round trip (tests count them). */
  onSourceRequest?: SourceRequestListener;
}

/** Starts the ${n.name} subgraph: POST /graphql and GET /health (which pings the source and the database). */
export async function start${n.pascal}Subgraph(options: ${n.pascal}SubgraphOptions): Promise<RunningSubgraph> {
  const gatewayProofKey = await resolveGatewayProofKey(options.gatewayProof, 'verifier');
  const pool = options.databaseUrl ? createPool({ connectionString: options.databaseUrl, applicationName: 'concord-${n.name}-subgraph' }) : undefined;
  const source = options.source ?? createSample${n.pascal}Source();
  try {
    return await startSubgraphServer({
      name: '${n.name}',
      schema: build${n.pascal}Schema(),
      port: options.port,
      host: options.host,
      production: options.production ?? false,
      gatewayProofKey,
      createContext: () => create${n.pascal}Context({ source, onSourceRequest: options.onSourceRequest }),
      checkHealth: async () => {
        await source.ping();
        if (pool) await pool.query('select 1');
      },
      onClose: async () => {
        await pool?.end();
      },
    });
  } catch (error) {
    await pool?.end();
    throw error;
  }
}
`,
    'main.ts': `import { load${n.pascal}SubgraphConfig } from './config.js';
import { start${n.pascal}Subgraph } from './server.js';

/** Runs the ${n.name} subgraph as a process of its own: config from the environment. */
const subgraph = await start${n.pascal}Subgraph(load${n.pascal}SubgraphConfig(process.env));
console.log('${n.name} subgraph at ' + subgraph.url);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void subgraph.close().then(() => process.exit(0));
  });
}
`,
    'index.ts': `export { load${n.pascal}SubgraphConfig, type ${n.pascal}SubgraphConfig } from './config.js';
export { start${n.pascal}Subgraph, type ${n.pascal}SubgraphOptions } from './server.js';
export { build${n.pascal}Schema, create${n.pascal}Context } from './schema.js';
export { ${n.camel}TypeDefs, ${n.camel}TypeDefsSource } from './typeDefs.js';
export { createSample${n.pascal}Source, type ${n.pascal}Row, type ${n.pascal}Source } from './source.js';
`,
    [`${n.name}.test.ts`]: `import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningSubgraph, SourceRequestEvent } from '${n.kit}';
import { GATEWAY_PROOF_HEADER, generateGatewayProofSecret, signGatewayProof } from '${n.kitAuth}';
import { start${n.pascal}Subgraph } from './server.js';

// The subgraph answers only the gateway: the tests call it as the gateway
// does, with a proof signed by a key of their own.
const proofKey = generateGatewayProofSecret();
const signedIn = await signGatewayProof({ subject: 'test-user', scopes: [], ttlSec: 3600 }, proofKey);
const anonymous = await signGatewayProof({ subject: null, scopes: [], ttlSec: 3600 }, proofKey);

describe('${n.name} subgraph', () => {
  let subgraph: RunningSubgraph;
  const sourceRequests: SourceRequestEvent[] = [];

  beforeAll(async () => {
    subgraph = await start${n.pascal}Subgraph({ port: 0, host: '127.0.0.1', gatewayProof: proofKey, onSourceRequest: (e) => sourceRequests.push(e) });
  });
  afterAll(async () => {
    await subgraph?.close();
  });

  const post = async (query: string, variables?: Record<string, unknown>, proof: string | undefined = signedIn) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (proof) headers[GATEWAY_PROOF_HEADER] = proof;
    const res = await fetch(subgraph.url, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return { status: res.status, body: await res.json() };
  };

  it('answers its query for a caller the gateway vouches for, and reports healthy', async () => {
    expect((await post('{ ${n.camel}Item(id: "1") { id name } }')).body).toEqual({ data: { ${n.camel}Item: { id: '1', name: 'first ${n.name} item' } } });
    const health = await fetch(subgraph.url.replace(/\\/graphql$/, '/health'));
    expect(health.status).toBe(200);
  });

  it('refuses a call that did not come through the gateway, and an anonymous caller the @authenticated type', async () => {
    const direct = await post('{ _service { sdl } }', undefined, '');
    expect(direct.status).toBe(401);
    expect(direct.body.errors[0].extensions).toMatchObject({ code: 'UNAUTHENTICATED', reason: 'GATEWAY_PROOF_MISSING' });
    const anon = await post('{ ${n.camel}Item(id: "1") { id name } }', undefined, anonymous);
    expect(anon.body.data).toEqual({ ${n.camel}Item: null });
    expect(anon.body.errors[0].extensions.code).toBe('UNAUTHORIZED_FIELD_OR_TYPE');
  });

  it('resolves entity references for the gateway in one source round trip', async () => {
    sourceRequests.length = 0;
    const result = await post(
      'query ($r: [_Any!]!) { _entities(representations: $r) { ... on ${item} { id name } } }',
      { r: [{ __typename: '${item}', id: '1' }, { __typename: '${item}', id: '2' }] },
    );
    expect(result.body).toEqual({ data: { _entities: [{ id: '1', name: 'first ${n.name} item' }, null] } });
    expect(sourceRequests).toEqual([{ source: '${n.name}', operation: 'items.byId', size: 2 }]);
  });
});
`,
    'README.md': `# ${n.name} subgraph

Scaffolded by \`concord subgraph new ${n.name}\` from the Concord kit, the same
conventions as the ERP, CRM and MDM subgraphs. Owned by team \`${n.team}\`: its
publish token is the only one that can publish this subgraph.

| file | what |
| --- | --- |
| schema.graphql | the SDL: what you publish to the registry |
| source.ts | your system (a sample stand-in to start) — batched reads only |
| loaders.ts | per-request DataLoaders over the source (kit \`createSourceLoader\`) |
| resolvers.ts | query and \`__resolveReference\` resolvers, through the loaders |
| config.ts | typed config from the environment (\`${n.constant}_SUBGRAPH_PORT\`, default ${n.port}) |
| server.ts, main.ts | start function and process entry point (kit \`startSubgraphServer\`, GET /health) |
| ${n.name}.test.ts | the subgraph's own test |

## From scaffold to the graph

1. Model your types in \`schema.graphql\`; extend shared entities with
   \`@key\` (e.g. \`type Customer @key(fields: "id")\`) rather than calling
   other subgraphs. Declare access with \`@authenticated\` / \`@requiresScopes\`.
2. Replace the sample source in \`source.ts\`, keeping reads batched.
3. \`npx vitest run subgraphs/${n.name}\` — the test must pass.
4. Run it with the gateway's proof secret (it answers nothing else):
   \`CONCORD_GATEWAY_PROOF_SECRET=… npx tsx subgraphs/${n.name}/main.ts\`.
   Beside \`npm start\`, that run's secret is \`gatewayProofSecret\` in
   \`.concord/registry-tokens.json\` (or start the stack with your own).
5. Check, then publish to the registry (in CI, with your team's publish token
   in \`CONCORD_REGISTRY_TOKEN\`):

   \`\`\`sh
   npx concord schema check   --subgraph ${n.name} --schema subgraphs/${n.name}/schema.graphql
   npx concord schema publish --subgraph ${n.name} --schema subgraphs/${n.name}/schema.graphql \\
     --routing-url http://127.0.0.1:${n.port}/graphql --commit "$GITHUB_SHA"
   \`\`\`

   Exit code 0 passed, 1 checks failed (the report says which operation and
   client a breaking change would hurt), 2 usage or connection error. Every
   gateway serves the new fields within seconds of a successful publish.
`,
  };
}
