import { GraphQLError, type GraphQLResolveInfo } from 'graphql';
import {
  acceptCandidate,
  listHistory,
  listQuarantinedRecords,
  listReviewQueue,
  mergeGoldenRecords,
  rejectCandidate,
  undoHistoryEvent,
  unmergeSourceRecord,
  type HistoryEvent,
  type ReviewCandidate,
  type StewardContext,
  type StewardResult,
} from '../../mdm/index.js';
import { hasScope, unauthorizedFieldError } from '../../platform/auth/index.js';
import { assertTextInput } from '../../platform/index.js';
import type { GoldenEntityType } from './mdmStore.js';
import { badUserInput, callEngine } from './mdmErrors.js';
import { decodeOffsetCursor, encodeOffsetCursor } from './offsetCursors.js';
import { pageSize, type MdmContext } from './resolvers.js';

/** The scope every steward field requires (the SDL's @requiresScopes says the same). */
export const STEWARD_SCOPE = 'mdm:steward';

/** An idempotency key is a client-made token (a UUID fits); 200 characters leaves room for prefixes. */
const MAX_IDEMPOTENCY_KEY_LENGTH = 200;
const MAX_REASON_LENGTH = 2000;

type GraphEntityType = 'CUSTOMER' | 'PRODUCT';
type GraphSourceSystem = 'ERP' | 'CRM';

const entityTypeOf: Record<GraphEntityType, GoldenEntityType> = { CUSTOMER: 'customer', PRODUCT: 'product' };
const systemOf: Record<GraphSourceSystem, string> = { ERP: 'erp', CRM: 'crm' };

/**
 * The steward's identity, checked in the resolver as well as by the
 * directive-derived rules: the history needs an actor, so an anonymous call
 * is refused as UNAUTHENTICATED; a caller without the scope gets the same
 * UNAUTHORIZED_FIELD_OR_TYPE refusal the gateway gives.
 */
function requireSteward(ctx: MdmContext, info: GraphQLResolveInfo): string {
  const coordinate = `${info.parentType.name}.${info.fieldName}`;
  if (ctx.principal.kind !== 'user') {
    throw new GraphQLError(`${coordinate} acts as the calling steward; call it with an authenticated user`, {
      extensions: { code: 'UNAUTHENTICATED' },
    });
  }
  if (!hasScope(ctx.principal, STEWARD_SCOPE)) throw unauthorizedFieldError(coordinate, pathOf(info));
  return ctx.principal.subject;
}

function pathOf(info: GraphQLResolveInfo): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: GraphQLResolveInfo['path'] | undefined = info.path; at; at = at.prev) path.unshift(at.key);
  return path;
}

interface DecisionArgs {
  reason?: string | null;
  idempotencyKey?: string | null;
}

function stewardContext(actor: string, args: DecisionArgs): StewardContext {
  assertTextInput(args.reason, 'reason');
  assertTextInput(args.idempotencyKey, 'idempotencyKey');
  const reason = args.reason?.trim() || null;
  if (reason && reason.length > MAX_REASON_LENGTH) throw badUserInput(`"reason" is longer than ${MAX_REASON_LENGTH} characters`, 'reason');
  const key = args.idempotencyKey ?? null;
  if (key !== null && (key.trim() === '' || key.length > MAX_IDEMPOTENCY_KEY_LENGTH)) {
    throw badUserInput(`"idempotencyKey" must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} non-blank characters`, 'idempotencyKey');
  }
  return { actor, reason, idempotencyKey: key };
}

/** Candidate and history ids are bigserials: anything else is the caller's mistake, not a store failure. */
function numericId(value: string, argumentName: string): string {
  if (!/^\d{1,18}$/.test(value)) throw badUserInput(`"${argumentName}" must be a numeric id, got ${JSON.stringify(value)}`, argumentName);
  return value;
}

function graphHistoryEvent(event: HistoryEvent) {
  return {
    id: event.id,
    at: event.at,
    actor: event.actor,
    action: event.action,
    reason: event.reason,
    masterIds: event.masterIds ?? [],
    before: event.before === null || event.before === undefined ? null : JSON.stringify(event.before),
    after: event.after === null || event.after === undefined ? null : JSON.stringify(event.after),
    idempotencyKey: event.idempotencyKey,
  };
}

function graphStewardResult(result: StewardResult) {
  return { event: graphHistoryEvent(result.event), replayed: result.replayed, masterIds: result.masterIds };
}

function graphSide(side: ReviewCandidate['left']) {
  const attributes = Object.entries(side.attributes ?? {})
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => ({ name, value: typeof value === 'string' ? value : JSON.stringify(value) }));
  return { system: side.system.toUpperCase(), sourceId: side.sourceId, masterId: side.masterId, attributes };
}

interface StoredExplanation {
  weight?: number;
  contributions?: { attribute: string; level: string; weight: number; left?: string | null; right?: string | null }[];
}

function graphCandidate(candidate: ReviewCandidate) {
  const explanation = (candidate.explanation ?? {}) as StoredExplanation;
  return {
    id: candidate.id,
    entityType: candidate.entityType.toUpperCase(),
    left: graphSide(candidate.left),
    right: graphSide(candidate.right),
    score: candidate.score,
    weight: typeof explanation.weight === 'number' ? explanation.weight : null,
    explanation: (explanation.contributions ?? []).map((c) => ({
      attribute: c.attribute,
      level: c.level,
      weight: c.weight,
      left: c.left ?? null,
      right: c.right ?? null,
    })),
    // The engine's queue lists pending pairs only.
    status: 'PENDING',
    createdAt: candidate.createdAt,
  };
}

/** A steward write changed golden records: nothing this request cached of them still holds. */
function forgetCachedRecords(ctx: MdmContext): void {
  ctx.loaders.customersById.clearAll();
  ctx.loaders.productsById.clearAll();
  ctx.loaders.productsBySku.clearAll();
}

async function decide(ctx: MdmContext, operation: string, run: () => Promise<StewardResult>) {
  const result = await callEngine(operation, run);
  forgetCachedRecords(ctx);
  return graphStewardResult(result);
}

/**
 * Merging is type-checked here because the engine merges any records of one
 * type: `mergeCustomers` with product ids must not merge products.
 * Unknown ids are left to the engine (NOT_FOUND).
 */
async function checkEntityType(ctx: MdmContext, ids: string[], expected: GoldenEntityType, field: string): Promise<void> {
  if (ids.length < 2) throw badUserInput(`${field} needs at least two master ids, got ${ids.length}`, 'ids');
  if (ids.length > 100) throw badUserInput(`${field} merges at most 100 golden records at once, got ${ids.length}`, 'ids');
  const types = await ctx.store.entityTypesOf(ids);
  const wrong = ids.find((id) => types.has(id) && types.get(id) !== expected);
  if (wrong) throw badUserInput(`${wrong} is a ${types.get(wrong)}, not a ${expected}; ${field} merges ${expected}s only`, 'ids');
}

export const stewardResolvers = {
  Query: {
    async reviewQueue(
      _root: unknown,
      args: { entityType?: GraphEntityType | null; first?: number | null; after?: string | null },
      ctx: MdmContext,
      info: GraphQLResolveInfo,
    ) {
      requireSteward(ctx, info);
      const first = pageSize(args.first);
      const offset = args.after ? decodeOffsetCursor(args.after) : 0;
      const page = first === 0
        ? { nodes: [], hasNextPage: false }
        : await callEngine('reviewQueue', () =>
            listReviewQueue(ctx.pool, {
              entityType: args.entityType ? entityTypeOf[args.entityType] : undefined,
              first,
              after: args.after ?? undefined,
            }));
      const edges = page.nodes.map((candidate, i) => ({ cursor: encodeOffsetCursor(offset + i + 1), node: graphCandidate(candidate) }));
      return {
        edges,
        nodes: edges.map((edge) => edge.node),
        pageInfo: {
          hasNextPage: page.hasNextPage,
          hasPreviousPage: offset > 0,
          startCursor: edges[0]?.cursor ?? null,
          endCursor: edges.at(-1)?.cursor ?? null,
        },
      };
    },

    async history(
      _root: unknown,
      args: { masterId?: string | null; first?: number | null; before?: string | null },
      ctx: MdmContext,
      info: GraphQLResolveInfo,
    ) {
      requireSteward(ctx, info);
      const limit = pageSize(args.first);
      if (limit === 0) return [];
      const beforeId = args.before ? numericId(args.before, 'before') : undefined;
      const events = await callEngine('history', () =>
        listHistory(ctx.pool, { masterId: args.masterId ?? undefined, limit, beforeId }));
      return events.map(graphHistoryEvent);
    },

    async quarantinedRecords(
      _root: unknown,
      args: { entityType?: GraphEntityType | null; first?: number | null; before?: string | null },
      ctx: MdmContext,
      info: GraphQLResolveInfo,
    ) {
      requireSteward(ctx, info);
      const first = pageSize(args.first);
      if (first === 0) return [];
      const beforeId = args.before ? numericId(args.before, 'before') : undefined;
      const entries = await callEngine('quarantinedRecords', () =>
        listQuarantinedRecords(ctx.pool, { entityType: args.entityType ? entityTypeOf[args.entityType] : undefined, first, beforeId }));
      return entries.map((e) => ({
        id: e.id, entityType: e.entityType.toUpperCase(), system: e.system.toUpperCase(), sourceId: e.sourceId,
        rule: e.rule, message: e.message, rawRecord: JSON.stringify(e.rawRecord), quarantinedAt: e.quarantinedAt,
      }));
    },
  },

  Mutation: {
    acceptMatchCandidate(_root: unknown, args: DecisionArgs & { id: string }, ctx: MdmContext, info: GraphQLResolveInfo) {
      const steward = stewardContext(requireSteward(ctx, info), args);
      const id = numericId(args.id, 'id');
      return decide(ctx, 'acceptMatchCandidate', () => acceptCandidate(ctx.pool, id, steward));
    },

    rejectMatchCandidate(_root: unknown, args: DecisionArgs & { id: string }, ctx: MdmContext, info: GraphQLResolveInfo) {
      const steward = stewardContext(requireSteward(ctx, info), args);
      const id = numericId(args.id, 'id');
      return decide(ctx, 'rejectMatchCandidate', () => rejectCandidate(ctx.pool, id, steward));
    },

    async mergeCustomers(_root: unknown, args: DecisionArgs & { ids: string[] }, ctx: MdmContext, info: GraphQLResolveInfo) {
      const steward = stewardContext(requireSteward(ctx, info), args);
      await checkEntityType(ctx, args.ids, 'customer', 'mergeCustomers');
      return decide(ctx, 'mergeCustomers', () => mergeGoldenRecords(ctx.pool, args.ids, steward));
    },

    async mergeProducts(_root: unknown, args: DecisionArgs & { ids: string[] }, ctx: MdmContext, info: GraphQLResolveInfo) {
      const steward = stewardContext(requireSteward(ctx, info), args);
      await checkEntityType(ctx, args.ids, 'product', 'mergeProducts');
      return decide(ctx, 'mergeProducts', () => mergeGoldenRecords(ctx.pool, args.ids, steward));
    },

    unmergeSourceRecord(
      _root: unknown,
      args: DecisionArgs & { entityType: GraphEntityType; system: GraphSourceSystem; sourceId: string },
      ctx: MdmContext,
      info: GraphQLResolveInfo,
    ) {
      const steward = stewardContext(requireSteward(ctx, info), args);
      const source = { entityType: entityTypeOf[args.entityType], system: systemOf[args.system], sourceId: args.sourceId };
      return decide(ctx, 'unmergeSourceRecord', () => unmergeSourceRecord(ctx.pool, source, steward));
    },

    undoHistoryEvent(_root: unknown, args: DecisionArgs & { eventId: string }, ctx: MdmContext, info: GraphQLResolveInfo) {
      const steward = stewardContext(requireSteward(ctx, info), args);
      const eventId = numericId(args.eventId, 'eventId');
      return decide(ctx, 'undoHistoryEvent', () => undoHistoryEvent(ctx.pool, eventId, steward));
    },
  },
};
