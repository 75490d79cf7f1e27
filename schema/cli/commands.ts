import { readFile, writeFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import type { CheckReport } from '../checks/checkSubgraph.js';
import { RegistryClient } from '../client/registryClient.js';
import { RegistryError, isRegistryError } from '../registry/errors.js';
import { printCheckReport } from '../checks/report.js';
import type { TokenScope } from '../registry/store/index.js';
import { tokenScopes } from '../registry/tokens.js';

/**
 * `concord schema …`: the domain teams' and CI's door to the registry.
 * Exit codes a pipeline can branch on: 0 passed, 1 checks failed (or a
 * publish was refused), 2 usage, authentication or connection error.
 */
export const exitCodes = { passed: 0, checksFailed: 1, usageOrConnection: 2 } as const;

/** Where the CLI writes and how it ends; tests pass their own to run it in-process. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Ends the command with a non-zero code. @default process.exit */
  exit(code: number): void;
}

const defaultIo: CliIo = {
  stdout: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  stderr: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  exit: (code) => process.exit(code),
};

interface CommonOptions {
  registry?: string;
  token?: string;
  json?: boolean;
}

/** Raised for a bad command line; mapped to exit code 2. */
class UsageError extends Error {}

export function registerSchemaCommands(program: Command, io: CliIo = defaultIo): Command {
  const schema = program.command('schema').description('check, publish and inspect subgraph schemas in the Concord schema registry');
  // Commander ends its own usage errors (unknown option, missing argument)
  // with code 1, which CI would read as "checks failed": make them 2.
  // Subcommands copy this callback when they are created below.
  const inherited = (program as unknown as { _exitCallback?: (error: CommanderError) => void })._exitCallback;
  schema.exitOverride((error) => {
    if (error.exitCode === 0) {
      if (inherited) inherited(error);
      return;
    }
    io.exit(exitCodes.usageOrConnection);
    if (inherited) inherited(new CommanderError(exitCodes.usageOrConnection, error.code, error.message));
    process.exit(exitCodes.usageOrConnection);
  });

  const common = (command: Command) =>
    command
      .option('--registry <url>', 'registry URL (env CONCORD_REGISTRY_URL)', process.env.CONCORD_REGISTRY_URL ?? 'http://127.0.0.1:4020')
      .option('--token <token>', 'registry token (env CONCORD_REGISTRY_TOKEN; prefer the env in CI logs)')
      .option('--json', 'print machine-readable JSON instead of the report');

  common(schema.command('check'))
    .description('check a proposed subgraph SDL: composition, breaking changes against recorded usage, authorization changes')
    .option('--subgraph <name>', 'subgraph name')
    .option('--schema <file>', 'file with the subgraph SDL')
    .option('--routing-url <url>', 'URL the gateway will call the subgraph at')
    .option('--accept-security-changes', 'accept loosened @authenticated / @requiresScopes / @policy')
    .action(run(io, async (options: CommonOptions & { subgraph?: string; schema?: string; routingUrl?: string; acceptSecurityChanges?: boolean }) => {
      const input = await subgraphInput(options);
      const report = await clientOf(options).check({ ...input, routingUrl: options.routingUrl, acceptSecurityChanges: options.acceptSecurityChanges });
      io.stdout(options.json ? JSON.stringify(report, null, 2) : printCheckReport(report));
      return report.passed ? exitCodes.passed : exitCodes.checksFailed;
    }));

  common(schema.command('publish'))
    .description('check and publish a subgraph SDL; on success the new supergraph becomes current')
    .option('--subgraph <name>', 'subgraph name')
    .option('--schema <file>', 'file with the subgraph SDL')
    .option('--routing-url <url>', 'URL the gateway will call the subgraph at (required the first time)')
    .option('--commit <sha>', 'commit the SDL comes from (env GITHUB_SHA / CI_COMMIT_SHA)')
    .option('--owner-team <team>', 'owner of a new subgraph (admin tokens only)')
    .option('--accept-security-changes', 'accept loosened @authenticated / @requiresScopes / @policy')
    .action(run(io, async (options: CommonOptions & { subgraph?: string; schema?: string; routingUrl?: string; commit?: string; ownerTeam?: string; acceptSecurityChanges?: boolean }) => {
      const input = await subgraphInput(options);
      const result = await clientOf(options).publish({
        ...input, routingUrl: options.routingUrl, ownerTeam: options.ownerTeam, acceptSecurityChanges: options.acceptSecurityChanges,
        commit: options.commit ?? process.env.GITHUB_SHA ?? process.env.CI_COMMIT_SHA,
      });
      if (options.json) io.stdout(JSON.stringify(result, null, 2));
      else {
        io.stdout(printCheckReport(result.report));
        if (result.unchanged) io.stdout(`\nUnchanged: subgraph "${input.subgraph}" already serves this SDL (version ${result.subgraphVersionId}).`);
        else if (result.published) io.stdout(`\nPublished subgraph "${input.subgraph}" version ${result.subgraphVersionId}; supergraph version ${result.supergraphVersionId} is now current.`);
        else io.stdout(`\nRefused: nothing was published; the current supergraph is unchanged.`);
      }
      return result.published || result.unchanged ? exitCodes.passed : exitCodes.checksFailed;
    }));

  common(schema.command('list'))
    .description('list subgraphs with their owner, routing URL and current version')
    .action(run(io, async (options: CommonOptions) => {
      const subgraphs = await clientOf(options).listSubgraphs();
      if (options.json) io.stdout(JSON.stringify(subgraphs, null, 2));
      else if (!subgraphs.length) io.stdout('No subgraphs published yet.');
      else {
        io.stdout(table(['SUBGRAPH', 'TEAM', 'VERSION', 'ROUTING URL', 'PUBLISHED'], subgraphs.map((s) => [
          s.name, s.ownerTeam, s.currentVersion ? String(s.currentVersion.id) : '-', s.routingUrl,
          s.currentVersion ? `${s.currentVersion.createdAt} by ${s.currentVersion.publishedBy}${s.currentVersion.commit ? ` @${s.currentVersion.commit.slice(0, 8)}` : ''}` : '-',
        ])));
      }
      return exitCodes.passed;
    }));

  common(schema.command('history'))
    .description("supergraph versions, or one subgraph's SDL versions with --subgraph")
    .option('--subgraph <name>', 'show this subgraph\'s versions')
    .option('--limit <n>', 'how many', '20')
    .action(run(io, async (options: CommonOptions & { subgraph?: string; limit: string }) => {
      const limit = Number(options.limit);
      if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit: expected a positive integer, got "${options.limit}"`);
      const client = clientOf(options);
      if (options.subgraph) {
        const versions = await client.subgraphHistory(options.subgraph, limit);
        if (options.json) io.stdout(JSON.stringify(versions.map(({ sdl: _sdl, ...rest }) => rest), null, 2));
        else io.stdout(table(['VERSION', 'WHEN', 'BY', 'COMMIT', 'SDL HASH', 'ROUTING URL'], versions.map((v) => [
          String(v.id), v.createdAt, v.publishedBy, v.commit ?? '-', v.sdlHash.slice(0, 12), v.routingUrl,
        ])));
      } else {
        const versions = await client.supergraphHistory(limit);
        if (options.json) io.stdout(JSON.stringify(versions, null, 2));
        else io.stdout(table(['VERSION', 'CURRENT', 'ACTION', 'WHEN', 'BY', 'SUBGRAPHS'], versions.map((v) => [
          String(v.id), v.isCurrent ? '*' : '', v.action + (v.rolledBackTo ? ` to ${v.rolledBackTo}` : ''), v.createdAt, v.createdBy,
          Object.entries(v.members).map(([name, id]) => `${name}@${id}`).join(' '),
        ])));
      }
      return exitCodes.passed;
    }));

  common(schema.command('rollback'))
    .description('make an earlier supergraph version current again (every gateway picks it up)')
    .option('--to <version>', 'supergraph version id to restore (see `schema history`)')
    .action(run(io, async (options: CommonOptions & { to?: string }) => {
      const version = Number(options.to);
      if (!options.to || !Number.isInteger(version) || version < 1) throw new UsageError('--to: expected a supergraph version id (see `concord schema history`)');
      const result = await clientOf(options).rollback(version);
      io.stdout(options.json ? JSON.stringify(result, null, 2)
        : `Rolled back to supergraph version ${result.rolledBackTo}: version ${result.supergraphVersionId} is now current (was ${result.previous}).`);
      return exitCodes.passed;
    }));

  common(schema.command('fetch-supergraph'))
    .description('print (or save) the current supergraph SDL')
    .option('--output <file>', 'write the SDL to this file instead of stdout')
    .action(run(io, async (options: CommonOptions & { output?: string }) => {
      const result = await clientOf(options).fetchSupergraph();
      if (result.notModified) throw new RegistryError('INTERNAL', 'registry answered 304 to an unconditional fetch');
      if (options.output) await writeFile(options.output, result.sdl);
      if (options.json) io.stdout(JSON.stringify({ version: result.version, etag: result.etag, ...(options.output ? { output: options.output } : { supergraphSdl: result.sdl }) }, null, 2));
      else if (options.output) io.stdout(`Wrote supergraph version ${result.version} to ${options.output}.`);
      else io.stdout(result.sdl);
      return exitCodes.passed;
    }));

  registerTokenCommands(schema, common, io);

  registerDocumentCommands(schema, common, io);
  return schema;
}

/**
 * `concord schema documents publish|list`: a client team publishes the
 * trusted-document manifest of its app (Apollo's persisted query manifest,
 * e.g. from @apollo/generate-persisted-query-manifest); gateways follow it,
 * and clients in trusted-documents mode run nothing else (ADR 0014).
 */
function registerDocumentCommands(schema: Command, common: (command: Command) => Command, io: CliIo): void {
  const documents = schema.command('documents').description("publish and list clients' trusted-document manifests");

  common(documents.command('publish'))
    .description("replace a client's trusted documents with a manifest (publish or admin token)")
    .option('--client <name>', 'the client the manifest is for (its token azp / apollographql-client-name)')
    .option('--manifest <file>', 'persisted query manifest JSON (format apollo-persisted-query-manifest, version 1)')
    .action(run(io, async (options: CommonOptions & { client?: string; manifest?: string }) => {
      if (!options.client) throw new UsageError('--client: the client name is required');
      if (!options.manifest) throw new UsageError('--manifest: the manifest file is required');
      let manifest: unknown;
      try {
        manifest = JSON.parse(await readFile(options.manifest, 'utf8'));
      } catch (error) {
        throw new UsageError(`--manifest: ${options.manifest} is not readable JSON (${(error as Error).message})`);
      }
      const published = await clientOf(options).publishTrustedDocuments(options.client, manifest);
      io.stdout(options.json ? JSON.stringify(published, null, 2) : `Published ${published.operations} trusted document(s) for client "${published.client}" (${published.publishedAt}, by ${published.publishedBy}).`);
      return exitCodes.passed;
    }));

  common(documents.command('list'))
    .description('list the clients with published trusted documents')
    .action(run(io, async (options: CommonOptions) => {
      const clients = await clientOf(options).listTrustedDocuments();
      if (options.json) io.stdout(JSON.stringify(clients.map(({ manifest: _m, ...c }) => c), null, 2));
      else io.stdout(table(['CLIENT', 'OPERATIONS', 'PUBLISHED', 'BY'], clients.map((c) => [c.client, String(c.operations), c.publishedAt, c.publishedBy])));
      return exitCodes.passed;
    }));
}

/**
 * `concord schema token create|list|revoke`: an admin's runtime token
 * management. `create` prints only the secret on stdout (everything else on
 * stderr) so `TOKEN=$(concord schema token create --team loyalty)` works.
 */
function registerTokenCommands(schema: Command, common: (command: Command) => Command, io: CliIo): void {
  const token = schema.command('token').description('issue, list and revoke registry tokens (needs an admin token)');

  common(token.command('create'))
    .description('issue a token; prints the secret once (the registry keeps only its hash)')
    .option('--team <team>', 'the team whose subgraphs a publish token may publish (required for publish)')
    .option('--scope <scope>', `one of ${tokenScopes.join(', ')}`, 'publish')
    .option('--label <label>', 'a name for the token, shown as the actor in the audit log')
    .action(run(io, async (options: CommonOptions & { team?: string; scope: string; label?: string }) => {
      if (!(tokenScopes as readonly string[]).includes(options.scope)) throw new UsageError(`--scope: expected one of ${tokenScopes.join(', ')}, got "${options.scope}"`);
      if (options.scope === 'publish' && !options.team) throw new UsageError('--team: a publish token needs the team whose subgraphs it publishes');
      const issued = await clientOf(options).issueToken({ scope: options.scope as TokenScope, team: options.team, label: options.label });
      if (options.json) io.stdout(JSON.stringify(issued, null, 2));
      else {
        io.stdout(issued.token);
        io.stderr(`Issued token ${issued.id} (${issued.label}); keep it secret: it will not be shown again.`);
      }
      return exitCodes.passed;
    }));

  common(token.command('list'))
    .description('list tokens: id, scope, team, label, created, revoked (never the secrets)')
    .action(run(io, async (options: CommonOptions) => {
      const tokens = await clientOf(options).listTokens();
      if (options.json) io.stdout(JSON.stringify(tokens, null, 2));
      else io.stdout(table(['ID', 'SCOPE', 'TEAM', 'LABEL', 'CREATED', 'REVOKED'], tokens.map((t) => [
        String(t.id), t.scope, t.team ?? '-', t.label, t.createdAt, t.revokedAt ?? '-',
      ])));
      return exitCodes.passed;
    }));

  common(token.command('revoke'))
    .description('revoke a token by id (see `token list`); its next request gets 401')
    .argument('<id>', 'token id')
    .action(async (rawId: string, options: CommonOptions) => run(io, async (opts: CommonOptions) => {
      const id = Number(rawId);
      if (!Number.isSafeInteger(id) || id < 1) throw new UsageError(`<id>: expected a token id (see \`concord schema token list\`), got "${rawId}"`);
      const revoked = await clientOf(opts).revokeToken(id);
      io.stdout(opts.json ? JSON.stringify(revoked, null, 2)
        : `Token ${revoked.id} (${revoked.label}) ${revoked.alreadyRevoked ? 'was already revoked' : 'is revoked'}.`);
      return exitCodes.passed;
    })(options));
}

/** Wraps an action: maps its outcome and failures to the CLI's exit codes. */
function run<O extends CommonOptions>(io: CliIo, action: (options: O) => Promise<number>) {
  return async (options: O) => {
    let code: number;
    try {
      code = await action(options);
    } catch (error) {
      if (!(error instanceof UsageError) && !isRegistryError(error)) throw error;
      const registryCode = isRegistryError(error) ? error.code : 'USAGE';
      if (options.json) io.stdout(JSON.stringify({ error: { code: registryCode, message: error.message } }, null, 2));
      else io.stderr(`error [${registryCode}]: ${error.message}`);
      code = exitCodes.usageOrConnection;
    }
    if (code !== exitCodes.passed) io.exit(code);
  };
}

function clientOf(options: CommonOptions): RegistryClient {
  const token = options.token ?? process.env.CONCORD_REGISTRY_TOKEN;
  if (!token) throw new UsageError('a registry token is needed: --token or CONCORD_REGISTRY_TOKEN');
  if (!options.registry) throw new UsageError('--registry: expected the registry URL');
  try {
    new URL(options.registry);
  } catch {
    throw new UsageError(`--registry: expected an absolute URL, got "${options.registry}"`);
  }
  return new RegistryClient({ registryUrl: options.registry, token });
}

async function subgraphInput(options: { subgraph?: string; schema?: string }): Promise<{ subgraph: string; sdl: string }> {
  if (!options.subgraph) throw new UsageError('--subgraph: expected the subgraph name');
  if (!options.schema) throw new UsageError('--schema: expected the file holding the subgraph SDL');
  try {
    return { subgraph: options.subgraph, sdl: await readFile(options.schema, 'utf8') };
  } catch (error) {
    throw new UsageError(`--schema: cannot read ${options.schema}: ${(error as Error).message}`);
  }
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)));
  return [header, ...rows].map((r) => r.map((cell, i) => cell.padEnd(widths[i])).join('  ').trimEnd()).join('\n');
}

export type { CheckReport };
