import { checkSubgraph, type ApiSchemaCache, type CheckInput, type CheckReport } from '../checks/checkSubgraph.js';
import { RegistryError } from './errors.js';
import { sha256, type Principal, type RegistryStore } from './store/index.js';

export interface PublishInput extends CheckInput {
  commit?: string;
  /** Owner of a subgraph published for the first time by an admin token (team tokens own what they create). */
  ownerTeam?: string;
}

export interface PublishResult {
  published: boolean;
  /** True when the SDL and routing URL equal the current version: nothing was stored. */
  unchanged: boolean;
  report: CheckReport;
  subgraphVersionId?: number;
  supergraphVersionId?: number;
}

export interface RollbackResult {
  supergraphVersionId: number;
  rolledBackTo: number;
  previous: number;
}

/** Publish attempts when another publish switched the supergraph in between (then we re-check). */
const publishAttempts = 3;

/** Decides whether a principal may publish this subgraph; returns the owning team. */
export async function authorizePublish(store: RegistryStore, principal: Principal, subgraph: string, ownerTeam?: string): Promise<string> {
  if (principal.scope !== 'publish' && principal.scope !== 'admin') {
    throw new RegistryError('FORBIDDEN', `a ${principal.scope} token cannot publish; use the owning team's publish token`);
  }
  const existing = await store.versions.getSubgraph(subgraph);
  if (existing) {
    if (principal.scope === 'publish' && existing.ownerTeam !== principal.team) {
      throw new RegistryError('FORBIDDEN', `subgraph "${subgraph}" belongs to team "${existing.ownerTeam}"; the token is team "${principal.team}"'s`);
    }
    return existing.ownerTeam;
  }
  if (principal.scope === 'publish') return principal.team!;
  if (!ownerTeam) throw new RegistryError('BAD_REQUEST', `subgraph "${subgraph}" is new: an admin publish must name its owner team (ownerTeam)`);
  return ownerTeam;
}

/**
 * The publish step: check, and when the checks pass store the subgraph
 * version and the composed supergraph and make it current in one
 * transaction. A refused publish changes nothing but the audit log.
 */
export async function publishSubgraph(
  store: RegistryStore,
  principal: Principal,
  input: PublishInput,
  options: { windowDays: number; apiSchemaCache?: ApiSchemaCache },
): Promise<PublishResult> {
  const ownerTeam = await authorizePublish(store, principal, input.subgraph, input.ownerTeam);
  for (let attempt = 1; ; attempt++) {
    const outcome = await checkSubgraph(store, input, options);
    if (!input.routingUrl && !outcome.currentMember && !(await store.versions.getSubgraph(input.subgraph))) {
      throw new RegistryError('BAD_REQUEST', `subgraph "${input.subgraph}" is new: routingUrl is required`);
    }
    const { report } = outcome;
    if (!report.passed || !outcome.supergraphSdl) {
      await store.audit.auditRefusedPublish(principal.label, input.subgraph, {
        commit: input.commit ?? null, sdlHash: sha256(input.sdl), failures: report.failures, summary: report.summary,
      });
      return { published: false, unchanged: false, report };
    }
    const current = outcome.currentMember;
    if (current && current.sdlHash === sha256(input.sdl) && current.routingUrl === outcome.routingUrl) {
      return { published: false, unchanged: true, report, subgraphVersionId: current.id, supergraphVersionId: outcome.baseSupergraphId };
    }
    try {
      const ids = await store.publishing.commitPublish({
        subgraph: input.subgraph, ownerTeam, routingUrl: outcome.routingUrl, sdl: input.sdl,
        publishedBy: principal.label, commit: input.commit, supergraphSdl: outcome.supergraphSdl,
        baseSupergraphId: outcome.baseSupergraphId, otherMemberIds: outcome.otherMembers.map((m) => m.id),
      });
      return { published: true, unchanged: false, report, ...ids };
    } catch (error) {
      if (error instanceof RegistryError && error.code === 'CONFLICT' && attempt < publishAttempts) continue;
      throw error;
    }
  }
}

/**
 * Rollback: makes (a copy of) an earlier supergraph version current, in one
 * transaction. Admin tokens may roll back anything; a team token only when
 * every subgraph that differs between now and then is its own.
 */
export async function rollbackSupergraph(store: RegistryStore, principal: Principal, toVersionId: number): Promise<RollbackResult> {
  if (principal.scope !== 'admin' && principal.scope !== 'publish') {
    throw new RegistryError('FORBIDDEN', `a ${principal.scope} token cannot roll back`);
  }
  const current = await store.versions.currentSupergraphHead();
  if (!current) throw new RegistryError('NOT_FOUND', 'nothing has been published yet');
  if (current.id === toVersionId) throw new RegistryError('BAD_REQUEST', `supergraph version ${toVersionId} is already current`);
  const target = await store.versions.supergraphMembers(toVersionId);
  if (!target.length && !(await store.versions.supergraphSdl(toVersionId))) {
    throw new RegistryError('NOT_FOUND', `no supergraph version ${toVersionId}`);
  }
  if (principal.scope === 'publish') {
    const now = await store.versions.supergraphMembers(current.id);
    const then = new Map(target.map((m) => [m.subgraph, m.id]));
    const changed = new Set<string>();
    for (const m of now) if (then.get(m.subgraph) !== m.id) changed.add(m.subgraph);
    for (const m of target) if (!now.some((n) => n.subgraph === m.subgraph)) changed.add(m.subgraph);
    for (const name of changed) {
      const owner = (await store.versions.getSubgraph(name))?.ownerTeam;
      if (owner !== principal.team) {
        throw new RegistryError('FORBIDDEN', `rolling back to version ${toVersionId} would change subgraph "${name}" of team "${owner}"; ask its team or an admin`);
      }
    }
  }
  const { supergraphVersionId } = await store.publishing.commitRollback({ toVersionId, actor: principal.label, baseSupergraphId: current.id });
  return { supergraphVersionId, rolledBackTo: toVersionId, previous: current.id };
}
