import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from 'pino';
import { extractAuthorizationRules, stripAuthorizationDirectives } from '../authorization/supergraphRules.js';
import { isRestricted, type AuthorizationRules } from '../../platform/auth/requirements.js';
import { supergraphId, validateSupergraphSdl } from './compose.js';
import type { SupergraphSource } from './source.js';

/** What /health reports about the supergraph: the one serving, and the last one refused. */
export interface SupergraphStatus {
  /** sha256 of the supergraph SDL serving now (as composed, directives included). */
  id: string;
  loadedAt: string;
  /** How many supergraphs have been swapped in after the first. */
  reloads: number;
  lastRejection?: { id: string; at: string; reason: string };
}

export interface SupergraphManagerOptions {
  /**
   * Whether this gateway enforces the supergraph's access rules. When false
   * (a gateway started without `security`), a supergraph that declares any
   * `@authenticated` / `@requiresScopes` is refused — at start and on reload —
   * rather than served with its protected fields open. @default true
   */
  enforcesRules?: boolean;
}

/** A supergraph as the gateway uses it: the SDL the planner gets and the rule table read from the original. */
interface PreparedSupergraph {
  id: string;
  plannerSdl: string;
  rules: AuthorizationRules;
}

/**
 * Wires a SupergraphSource into ApolloGateway's `supergraphSdl` hook form.
 *
 * Every supergraph, the first and each hot update, goes through one step:
 * its access rules (`@authenticated`, `@requiresScopes`, `@pii`) are read
 * into Concord's rule table, and the planner gets the same supergraph
 * without the two security directives (@apollo/gateway refuses to execute
 * them). The rule table is looked up by the exact SDL the gateway then
 * reports in `onSchemaLoadOrUpdate` ({@link rulesFor}), so schema and rules
 * swap together.
 *
 * A hot update is validated first (build, validate, API schema, planner) and
 * only then handed to the gateway's `update`, which swaps schema, planner and
 * plan cache in one synchronous step: requests already executing keep the plan
 * and schemas they captured, so none is dropped; the next request plans against
 * the new supergraph. A refused update is logged and recorded; the previous
 * supergraph keeps serving.
 */
export class SupergraphManager {
  #status: SupergraphStatus | undefined;
  /** Planner SDL → rules; holds the serving supergraph and one pending update at most. */
  readonly #rulesBySdl = new Map<string, AuthorizationRules>();
  readonly #enforcesRules: boolean;

  constructor(private readonly source: SupergraphSource, private readonly logger: Logger, options: SupergraphManagerOptions = {}) {
    this.#enforcesRules = options.enforcesRules ?? true;
  }

  get status(): SupergraphStatus | undefined {
    return this.#status;
  }

  /** The rule table of a supergraph handed to the gateway (by the SDL `onSchemaLoadOrUpdate` reports). */
  rulesFor(plannerSdl: string): AuthorizationRules {
    const rules = this.#rulesBySdl.get(plannerSdl);
    if (!rules) throw new Error('no authorization rules for this supergraph: it did not come through the SupergraphManager');
    // Keep only the supergraph now serving.
    for (const key of this.#rulesBySdl.keys()) if (key !== plannerSdl) this.#rulesBySdl.delete(key);
    return rules;
  }

  private prepare(supergraphSdl: string): PreparedSupergraph {
    const rules = extractAuthorizationRules(supergraphSdl);
    if (!this.#enforcesRules && [...Object.values(rules.types), ...Object.values(rules.fields)].some(isRestricted)) {
      throw new Error('the supergraph declares access rules (@authenticated/@requiresScopes) but this gateway runs without security: refusing to serve it open');
    }
    const plannerSdl = stripAuthorizationDirectives(supergraphSdl);
    this.#rulesBySdl.set(plannerSdl, rules);
    return { id: supergraphId(supergraphSdl), plannerSdl, rules };
  }

  readonly hook: SupergraphSdlHook = async ({ update }) => {
    const prepared = this.prepare(await this.source.load());
    // The first supergraph is validated by the gateway itself (validateSupergraph: true); a failure fails start.
    this.#status = { id: prepared.id, loadedAt: new Date().toISOString(), reloads: 0 };
    const unsubscribe = this.source.subscribe((next) => this.offer(next, update));
    return { supergraphSdl: prepared.plannerSdl, cleanup: async () => unsubscribe() };
  };

  private offer(next: string, update: (supergraphSdl: string) => void): void {
    const id = supergraphId(next);
    const current = this.#status;
    if (current && current.id === id) return;
    try {
      const prepared = this.prepare(next);
      validateSupergraphSdl(prepared.plannerSdl);
      update(prepared.plannerSdl);
    } catch (error) {
      const reason = (error as Error).message;
      this.#status = current && { ...current, lastRejection: { id, at: new Date().toISOString(), reason } };
      this.logger.error({ supergraphId: id, reason }, 'supergraph update refused; the previous supergraph keeps serving');
      return;
    }
    this.#status = { id, loadedAt: new Date().toISOString(), reloads: (current?.reloads ?? 0) + 1, lastRejection: current?.lastRejection };
    this.logger.info({ supergraphId: id }, 'supergraph updated');
  }
}
