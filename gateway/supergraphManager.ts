import type { SupergraphSdlHook } from '@apollo/gateway';
import type { Logger } from 'pino';
import { supergraphId, validateSupergraphSdl } from './supergraph.js';
import type { SupergraphSource } from './supergraphSource.js';

/** What /health reports about the supergraph: the one serving, and the last one refused. */
export interface SupergraphStatus {
  /** sha256 of the supergraph SDL serving now. */
  id: string;
  loadedAt: string;
  /** How many supergraphs have been swapped in after the first. */
  reloads: number;
  lastRejection?: { id: string; at: string; reason: string };
}

/**
 * Wires a SupergraphSource into ApolloGateway's `supergraphSdl` hook form.
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

  constructor(private readonly source: SupergraphSource, private readonly logger: Logger) {}

  get status(): SupergraphStatus | undefined {
    return this.#status;
  }

  readonly hook: SupergraphSdlHook = async ({ update }) => {
    const supergraphSdl = await this.source.load();
    // The first supergraph is validated by the gateway itself (validateSupergraph: true); a failure fails start.
    this.#status = { id: supergraphId(supergraphSdl), loadedAt: new Date().toISOString(), reloads: 0 };
    const unsubscribe = this.source.subscribe((next) => this.offer(next, update));
    return { supergraphSdl, cleanup: async () => unsubscribe() };
  };

  private offer(next: string, update: (supergraphSdl: string) => void): void {
    const id = supergraphId(next);
    const current = this.#status;
    if (current && current.id === id) return;
    try {
      validateSupergraphSdl(next);
      update(next);
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
