import type { GraphQLSchema } from 'graphql';
import { compareAuthorization, type SecurityFinding } from './authorizationDiff.js';
import { composeSupergraph, type CompositionIssue, type SubgraphInput } from './compose.js';
import { diffApiSchemas, type SchemaChange } from './schemaDiff.js';
import type { RegistryStore, SubgraphVersion } from '../registry/store/index.js';

/** An operation (per client) that used a coordinate a proposed change touches. */
export interface AffectedOperation {
  hash: string;
  name: string | null;
  clientName: string;
  clientVersion: string;
  count: number;
  lastSeen: string;
  /** The touched coordinates this operation used. */
  coordinates: string[];
}

/**
 * How a change is judged once usage is known:
 * - breaking: breaks an operation seen within the window (or cannot be
 *   cleared by usage data at all) — fails the check;
 * - warning: breaking in principle, but no operation used it in the window;
 * - dangerous / safe: as the differ classified it; never fail the check.
 */
export type ChangeVerdict = 'breaking' | 'warning' | 'dangerous' | 'safe';

export interface CheckedChange extends SchemaChange {
  verdict: ChangeVerdict;
  usedBy: AffectedOperation[];
}

/** The outcome of checking one proposed subgraph SDL: plain data, printable by printCheckReport. */
export interface CheckReport {
  subgraph: string;
  passed: boolean;
  /** The supergraph version the proposal was checked against (null: nothing published yet). */
  baseSupergraphVersion: number | null;
  composition: { ok: boolean; errors: CompositionIssue[]; hints: CompositionIssue[] };
  changes: CheckedChange[];
  operations: { windowDays: number; affected: AffectedOperation[] };
  security: { findings: SecurityFinding[]; accepted: boolean };
  summary: { breaking: number; warnings: number; dangerous: number; safe: number; securityFindings: number; compositionErrors: number };
  /** Why the check failed, one line per reason (empty when passed). */
  failures: string[];
}

export interface CheckInput {
  subgraph: string;
  sdl: string;
  routingUrl?: string;
  /** Loosened authorization fails the check unless a human accepted it. */
  acceptSecurityChanges?: boolean;
}

/** Everything a publish needs besides the report: what was composed from what. */
export interface CheckOutcome {
  report: CheckReport;
  supergraphSdl?: string;
  routingUrl: string;
  baseSupergraphId?: number;
  /** The current versions of the other subgraphs, kept in the new supergraph. */
  otherMembers: SubgraphVersion[];
  /** The subgraph's version inside the current supergraph, if any. */
  currentMember?: SubgraphVersion;
}

/** A routing URL for composing a new subgraph whose URL is not known yet (check only). */
const placeholderUrl = 'http://unspecified.invalid/graphql';

/**
 * Runs the registry's checks for one proposed subgraph SDL against the
 * current supergraph: composition, the client-facing diff judged against
 * recorded operation usage, and authorization changes. Reads only; the
 * publish step acts on the outcome.
 */
export async function checkSubgraph(
  store: RegistryStore,
  input: CheckInput,
  options: { windowDays: number; apiSchemaCache?: ApiSchemaCache },
): Promise<CheckOutcome> {
  const base = await store.versions.currentSupergraph();
  const members = base ? await store.versions.supergraphMembers(base.id) : [];
  const currentMember = members.find((m) => m.subgraph === input.subgraph);
  const otherMembers = members.filter((m) => m.subgraph !== input.subgraph);
  const known = currentMember ? undefined : await store.versions.getSubgraph(input.subgraph);
  const routingUrl = input.routingUrl ?? currentMember?.routingUrl ?? known?.routingUrl ?? placeholderUrl;

  const proposed: SubgraphInput[] = [
    ...otherMembers.map((m) => ({ name: m.subgraph, url: m.routingUrl, sdl: m.sdl })),
    { name: input.subgraph, url: routingUrl, sdl: input.sdl },
  ];
  const composition = composeSupergraph(proposed);
  const report: CheckReport = {
    subgraph: input.subgraph,
    passed: false,
    baseSupergraphVersion: base?.id ?? null,
    composition: { ok: composition.ok, errors: composition.errors, hints: composition.hints },
    changes: [],
    operations: { windowDays: options.windowDays, affected: [] },
    security: { findings: [], accepted: Boolean(input.acceptSecurityChanges) },
    summary: { breaking: 0, warnings: 0, dangerous: 0, safe: 0, securityFindings: 0, compositionErrors: composition.errors.length },
    failures: [],
  };
  const outcome: CheckOutcome = { report, routingUrl, baseSupergraphId: base?.id, otherMembers, currentMember };
  if (!composition.ok || !composition.apiSchema || !composition.supergraphSdl) {
    report.failures.push(`composition failed with ${composition.errors.length} error(s)`);
    return outcome;
  }
  outcome.supergraphSdl = composition.supergraphSdl;

  const currentApi = base ? apiSchemaOf(base.id, members, options.apiSchemaCache) : undefined;
  const changes = await diffApiSchemas(currentApi, composition.apiSchema);
  const touched = [...new Set(changes.filter((c) => c.level === 'breaking').flatMap((c) => c.coordinates))];
  const uses = await store.usage.operationsUsing(touched, options.windowDays);
  const affected = new Map<string, AffectedOperation>();
  for (const change of changes) {
    const usedBy: AffectedOperation[] = [];
    if (change.level === 'breaking') {
      for (const use of uses) {
        const coordinates = use.fields.filter((f) => change.coordinates.includes(f));
        if (!coordinates.length) continue;
        const key = `${use.hash}\u0000${use.clientName}\u0000${use.clientVersion}`;
        const entry = affected.get(key) ?? { hash: use.hash, name: use.name, clientName: use.clientName, clientVersion: use.clientVersion, count: use.count, lastSeen: use.lastSeen, coordinates: [] };
        entry.coordinates = [...new Set([...entry.coordinates, ...coordinates])].sort();
        affected.set(key, entry);
        usedBy.push({ ...entry, coordinates });
      }
    }
    const verdict: ChangeVerdict =
      change.level !== 'breaking' ? change.level : usedBy.length || !change.trackable ? 'breaking' : 'warning';
    report.changes.push({ ...change, verdict, usedBy });
  }
  report.operations.affected = [...affected.values()];
  for (const change of report.changes) {
    if (change.verdict === 'breaking') report.summary.breaking++;
    else if (change.verdict === 'warning') report.summary.warnings++;
    else if (change.verdict === 'dangerous') report.summary.dangerous++;
    else report.summary.safe++;
  }
  if (report.summary.breaking) {
    report.failures.push(`${report.summary.breaking} breaking change(s) affect operations used within ${options.windowDays} day(s) or cannot be judged by usage`);
  }

  report.security.findings = compareAuthorization(base?.sdl, composition.supergraphSdl);
  report.summary.securityFindings = report.security.findings.length;
  if (report.security.findings.length && !input.acceptSecurityChanges) {
    report.failures.push(`${report.security.findings.length} authorization change(s) need explicit acceptance (--accept-security-changes)`);
  }
  report.passed = report.failures.length === 0;
  return outcome;
}

/** Composed API schemas of stored supergraph versions, keyed by version id (they never change). */
export type ApiSchemaCache = Map<number, GraphQLSchema>;

function apiSchemaOf(id: number, members: SubgraphVersion[], cache: ApiSchemaCache | undefined): GraphQLSchema | undefined {
  const cached = cache?.get(id);
  if (cached) return cached;
  const composed = composeSupergraph(members.map((m) => ({ name: m.subgraph, url: m.routingUrl, sdl: m.sdl })));
  if (composed.apiSchema && cache) {
    if (cache.size > 8) cache.clear();
    cache.set(id, composed.apiSchema);
  }
  return composed.apiSchema;
}
