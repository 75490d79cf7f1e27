import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import type { GraphQLFormattedError } from 'graphql';
import { expandEntities, uniqueRepresentations, type UniqueRepresentations } from './uniqueRepresentations.js';
import { copyJson } from './copyJson.js';

/**
 * Entity fetches of concurrent operations merged into one subgraph call
 * (ADR 0019). A subgraph resolves an `_entities` call of eight
 * representations for about the CPU of one and a half calls of one (its
 * loaders read all of them in one statement; parsing, validation, the proof
 * check and the HTTP exchange are paid once): measured on the customer 360's
 * ERP and CRM fetches, 5.2–6.9 ms per entity one call each against 0.9–1.3 ms
 * eight to a call. Different customers asked at once — what frontends send —
 * share nothing else.
 *
 * Calls with the same key (subgraph, fetch text, other variables, outgoing
 * headers — so never across callers whose proofs differ) go out at once while
 * fewer than `maxInFlight` of them are on their way; past that they wait and
 * leave together, up to `maxRepresentations` to a call, when one returns.
 * An idle gateway adds no wait; a busy one sends fewer, larger calls.
 *
 * Clients that send their next operation as soon as the last is answered (a
 * service calling at its concurrency limit, a page loading in steps) come
 * back in rounds: a merged call returns and most of its callers' next
 * fetches arrive within a few milliseconds. Sent at once, the next call
 * would carry only the first of them and leave the rest a whole call to wait
 * — a split that then persists, two calls per round where one would do. So
 * a key that has seen its callers come back that way, two rounds running
 * (three quarters of them within half a call's time), holds its next call
 * back (`lingerMs`, at most its last call's duration) until the last round's
 * callers wait again, then sends them together (ADR 0021). Evenly spread
 * traffic does not show rounds (in half a call's time about half a call's
 * worth of callers arrive), so it is not held back.
 */
export interface EntityBatchingOptions {
  /** Calls of one key on their way before the next ones wait to be merged. 0 turns merging off. */
  maxInFlight: number;
  /** Representations in one merged call at most. */
  maxRepresentations: number;
  /**
   * The longest a fetch waits for the calls in flight: past it, what waits
   * goes anyway, so a slow or hung call (a breaker's probe, a frozen source)
   * holds the others back this long at most.
   */
  maxWaitMs: number;
  /**
   * The longest a free key holds its next call back for the callers expected
   * to come back (ADR 0021), and never more than its last call's duration
   * (twice that while they are still arriving); also the cap on the window
   * in which a round is counted (half a call).
   * 0: never.
   */
  lingerMs: number;
}

export type EntitySend = (representations: unknown[], deadline: number | undefined) => Promise<GatewayGraphQLResponse>;

interface Waiting {
  representations: unknown[];
  deadline: number | undefined;
  resolve: (response: GatewayGraphQLResponse) => void;
  timer?: ReturnType<typeof setTimeout>;
}

interface KeyState {
  inFlight: number;
  waiting: Waiting[];
  send: EntitySend;
  /** Sends what waits when the first of it has waited maxWaitMs. */
  flushTimer?: ReturnType<typeof setTimeout>;
  /** Callers expected in the next call: those the last one answered plus those that waited for it (0 once a hold ran out). */
  expected: number;
  /** When the key last became free to send (a call returned), performance.now(). */
  freeAt: number;
  /**
   * What a hold is counted from: the first fetch to arrive after the last
   * call returned (or that return, when fetches were already waiting), if it
   * came within ROUND_HORIZON_CALLS calls of it; undefined until then, and
   * when it came later (not a round's: it goes at once).
   */
  holdFrom: number | undefined;
  /** Duration of the key's last call, ms: a hold is at most that long, a round is counted in half of it. */
  lastCallMs: number;
  /** When the last fetch of this key arrived, performance.now(): a hold is not cut while its callers are still arriving. */
  lastArrivalAt: number;
  /** Whether the next call is being held for the round's callers, and what sends it when the window is over. */
  holding: boolean;
  lingerTimer?: ReturnType<typeof setTimeout>;
  /**
   * The round being watched: the last merged call's callers, when the first
   * of the fetches after it arrived (undefined until one did within the
   * horizon), and those that arrived within the round window from then.
   */
  round: { callers: number; firstAt: number | undefined; arrivals: number } | undefined;
  /** Rounds running in which the callers came back (most of them within the linger window). */
  roundsSeen: number;
  /** Forgets a free key's expectations once it has been idle a while. */
  idleTimer?: ReturnType<typeof setTimeout>;
  /** The errors standing for a failed fetch of these representations (failedFetchErrors for this key's fetch). */
  failed: (representations: unknown[], message: string, extensions: Record<string, unknown> | undefined) => GraphQLFormattedError[];
}

/**
 * How long before its deadline a waiting call stops waiting and is sent on
 * its own (its send refuses it at once when too little is left, with the
 * deadline's coded error): a caller never waits past its deadline for a merge.
 */
const LEAVE_QUEUE_BEFORE_DEADLINE_MS = 25;

/**
 * A round: a merged call of at least ROUND_MIN_CALLERS callers, at least
 * ROUND_SHARE of whom came back within the linger window. A key lingers
 * once it has seen ROUNDS_TO_LINGER of them running.
 */
const ROUND_MIN_CALLERS = 3;
const ROUND_SHARE = 0.75;
const ROUNDS_TO_LINGER = 2;

/**
 * A round's first fetch may arrive this many of the key's last call
 * durations after the call returned. Its callers come back when their whole
 * operations are answered, and an operation's other fetches (sent alongside
 * this one, to another subgraph) can outlast this key's call: in the
 * customer 360 the CRM's call often ends 10–20 ms after the ERP's. Counted
 * from the key's own return, the ERP's window had closed before its callers
 * came back; the first went alone and the other fifteen waited for it (ADR
 * 0021, "Anchored on the first arrival"). A fetch later than this goes at once.
 */
const ROUND_HORIZON_CALLS = 2;

/**
 * A hold whose window is over while its callers are still arriving (the last
 * came less than this long ago) waits on until they stop, up to a second
 * window. A stall of the gateway's event loop delays a round's fetches
 * as a block: counted from the round's first fetch, the window could close
 * in the middle of the block, and the part after the cut then waited a whole
 * call for the part before it — a split that persisted for rounds. Fetches
 * that join a waiting call arrive a fraction of a millisecond apart (the
 * gateway answers and plans its operations one after another; ADR 0021: 0.2
 * ms at the median, 0.5 at p90); the gap is several of those.
 */
const ARRIVAL_GAP_MS = 3;

/** A free key with nothing waiting is forgotten after this long (it keeps its expectations until then). */
const KEY_IDLE_MS = 1_000;

export type LingerOutcome = 'filled' | 'ran-out';

export class EntityFetchBatcher {
  readonly #keys = new Map<string, KeyState>();

  constructor(
    readonly subgraph: string,
    readonly options: EntityBatchingOptions,
    private readonly onMerged?: (calls: number) => void,
    private readonly onLinger?: (outcome: LingerOutcome) => void,
  ) {}

  fetch(
    key: string,
    representations: unknown[],
    deadline: number | undefined,
    send: EntitySend,
    failed: KeyState['failed'],
  ): Promise<GatewayGraphQLResponse> {
    let state = this.#keys.get(key);
    if (!state) {
      state = { inFlight: 0, waiting: [], send, failed, expected: 0, freeAt: 0, holdFrom: undefined, lastCallMs: 0, lastArrivalAt: 0, holding: false, round: undefined, roundsSeen: 0 };
      this.#keys.set(key, state);
    }
    const now = performance.now();
    state.lastArrivalAt = now;
    const withinHorizon = state.freeAt > 0 && now - state.freeAt <= ROUND_HORIZON_CALLS * state.lastCallMs;
    if (state.holdFrom === undefined && withinHorizon) state.holdFrom = now;
    if (state.round) {
      if (state.round.firstAt === undefined && withinHorizon) state.round.firstAt = now;
      if (state.round.firstAt !== undefined && now - state.round.firstAt <= this.#roundWindow(state)) state.round.arrivals++;
    }
    if (state.idleTimer) {
      clearTimeout(state.idleTimer);
      state.idleTimer = undefined;
    }
    const holdingForRound = this.#mayLinger(state) && state.holdFrom !== undefined && now < state.holdFrom + this.#holdWindow(state);
    if (state.inFlight < this.options.maxInFlight && state.waiting.length === 0 && !holdingForRound) {
      return this.#sendAlone(key, state, () => send(representations, deadline));
    }
    return new Promise((resolve) => {
      const waiting: Waiting = { representations, deadline, resolve };
      if (deadline !== undefined) {
        waiting.timer = setTimeout(() => {
          const at = state.waiting.indexOf(waiting);
          if (at < 0) return;
          state.waiting.splice(at, 1);
          if (state.inFlight === 0 && state.waiting.length === 0) this.#forgetWhenIdle(key, state);
          // Sent outside the in-flight count: it is due now, and its send refuses it if too little time is left.
          send(representations, deadline).then(resolve, (error) => resolve({ errors: failed(representations, String(error), undefined) }));
        }, Math.max(0, deadline - Date.now() - LEAVE_QUEUE_BEFORE_DEADLINE_MS));
      }
      state.waiting.push(waiting);
      state.flushTimer ??= setTimeout(() => {
        state.flushTimer = undefined;
        this.#stopLinger(state);
        while (state.waiting.length > 0) this.#sendMerged(key, state);
      }, this.options.maxWaitMs);
      this.#sendWhatWaits(key, state);
    });
  }

  /** Whether a free key holds its next call back for callers expected to come back. */
  #mayLinger(state: KeyState): boolean {
    return this.options.lingerMs > 0 && state.roundsSeen >= ROUNDS_TO_LINGER && state.expected > 1;
  }

  /**
   * How long after the first of them its callers' next fetches count toward
   * a round: half a call, so that evenly spread traffic (half a call's worth
   * of callers in that time) does not pass for rounds (three quarters).
   */
  #roundWindow(state: KeyState): number {
    return Math.min(this.options.lingerMs, state.lastCallMs / 2);
  }

  /**
   * How long after the round's first fetch arrived (or the call returned, when
   * fetches were waiting for it) the next call is held for the round's
   * callers: up to a whole call — a caller that misses the call waits that
   * long for the next one anyway.
   */
  #holdWindow(state: KeyState): number {
    return Math.min(this.options.lingerMs, state.lastCallMs);
  }

  /**
   * Milliseconds the hold has left: what is left of its window, or, while the
   * round's fetches are still arriving (ARRIVAL_GAP_MS), until they stop, but
   * never past a second window.
   */
  #holdLeft(state: KeyState, now: number): number {
    const from = state.holdFrom ?? now;
    const window = this.#holdWindow(state);
    const stillArriving = Math.min(state.lastArrivalAt + ARRIVAL_GAP_MS, from + 2 * window);
    return Math.max(from + window, stillArriving) - now;
  }

  /**
   * Sends what waits while fewer than maxInFlight calls are on their way,
   * unless the key holds its next call for the round's callers: at most the
   * hold window after the round's first fetch arrived.
   */
  #sendWhatWaits(key: string, state: KeyState): void {
    while (state.inFlight < this.options.maxInFlight && state.waiting.length > 0) {
      if (this.#mayLinger(state) && state.waiting.length < state.expected && waitingRepresentations(state) < this.options.maxRepresentations) {
        const left = this.#holdLeft(state, performance.now());
        if (left > 0) {
          state.holding = true;
          state.lingerTimer ??= setTimeout(() => {
            state.lingerTimer = undefined;
            this.#sendWhatWaits(key, state);
          }, Math.ceil(left));
          return;
        }
        // The window is over: those that did not come are not part of this round (whether it still was one is judged when the call returns).
        if (state.holding) this.onLinger?.('ran-out');
        state.expected = 0;
      } else if (state.holding) {
        this.onLinger?.('filled');
      }
      this.#stopLinger(state);
      this.#sendMerged(key, state);
    }
  }

  #stopLinger(state: KeyState): void {
    state.holding = false;
    if (!state.lingerTimer) return;
    clearTimeout(state.lingerTimer);
    state.lingerTimer = undefined;
  }

  async #sendAlone(key: string, state: KeyState, sendOwn: () => Promise<GatewayGraphQLResponse>): Promise<GatewayGraphQLResponse> {
    state.inFlight++;
    const started = performance.now();
    try {
      return await sendOwn();
    } finally {
      this.#done(key, state, 1, started);
    }
  }

  /** A call of `callers` callers, sent at `started`, has returned. */
  #done(key: string, state: KeyState, callers: number, started: number): void {
    state.inFlight--;
    const now = performance.now();
    // The round the last call opened: did its callers come back, most of them, within the window?
    if (state.round) {
      const cameBack = state.round.arrivals >= Math.ceil(ROUND_SHARE * state.round.callers);
      state.roundsSeen = cameBack ? state.roundsSeen + 1 : 0;
    }
    state.round = callers >= ROUND_MIN_CALLERS ? { callers, firstAt: undefined, arrivals: 0 } : undefined;
    state.freeAt = now;
    state.holdFrom = state.waiting.length > 0 ? now : undefined;
    state.lastCallMs = now - started;
    state.expected = callers + state.waiting.length;
    this.#sendWhatWaits(key, state);
    if (state.waiting.length === 0 && state.flushTimer) {
      clearTimeout(state.flushTimer);
      state.flushTimer = undefined;
    }
    if (state.inFlight === 0 && state.waiting.length === 0) this.#forgetWhenIdle(key, state);
  }

  /** A key with nothing on its way or waiting: forgotten now, or after KEY_IDLE_MS when it has a round open or rounds seen. */
  #forgetWhenIdle(key: string, state: KeyState): void {
    this.#stopLinger(state);
    if (state.flushTimer) {
      clearTimeout(state.flushTimer);
      state.flushTimer = undefined;
    }
    if (!state.round && state.roundsSeen === 0) {
      if (this.#keys.get(key) === state) this.#keys.delete(key);
      return;
    }
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = setTimeout(() => {
      state.idleTimer = undefined;
      if (state.inFlight === 0 && state.waiting.length === 0 && this.#keys.get(key) === state) this.#keys.delete(key);
    }, KEY_IDLE_MS);
    state.idleTimer.unref?.();
  }

  /** The next waiting calls, up to maxRepresentations (at least one call), as one subgraph call. */
  #sendMerged(key: string, state: KeyState): void {
    const group: Waiting[] = [];
    let count = 0;
    const now = Date.now();
    while (state.waiting.length > 0) {
      const next = state.waiting[0];
      if (group.length > 0 && count + next.representations.length > this.options.maxRepresentations) break;
      state.waiting.shift();
      if (next.timer) clearTimeout(next.timer);
      // One caller about to run out of time would cut everyone's call short: it goes alone (and is refused at once).
      if (next.deadline !== undefined && next.deadline - now < LEAVE_QUEUE_BEFORE_DEADLINE_MS) {
        state.send(next.representations, next.deadline).then(next.resolve, (error) => next.resolve({ errors: state.failed(next.representations, String(error), undefined) }));
        continue;
      }
      group.push(next);
      count += next.representations.length;
    }
    if (group.length === 0) return;
    // Callers often ask for the same entities (one query from many connections): each distinct one is sent once.
    const all = group.flatMap((w) => w.representations);
    const unique = uniqueRepresentations(all);
    const parts = group.map((w) => w.representations);
    // The call gets the latest deadline of the group; a caller whose own comes first gets the deadline's coded
    // error then, and one caller short of time never cuts the others' call short.
    let deadline: number | undefined = 0;
    for (const w of group) deadline = w.deadline === undefined || deadline === undefined ? undefined : Math.max(deadline, w.deadline);
    for (const w of group) {
      if (w.deadline === undefined || w.deadline === deadline) continue;
      const leftMs = w.deadline - now;
      w.timer = setTimeout(() => w.resolve({
        errors: state.failed(w.representations, `Subgraph "${this.subgraph}" did not answer within ${leftMs} ms (what was left of the request's deadline)`, { code: 'SUBGRAPH_UNAVAILABLE', reason: 'timeout' }),
      }), leftMs);
    }
    if (group.length > 1) this.onMerged?.(group.length);
    state.inFlight++;
    const started = performance.now();
    state.send(unique ? unique.unique : all, deadline)
      .then(
        (response) => splitEntities(unique ? copiesPerCaller(response, expandEntities(response, unique), unique, parts) : response, parts, state.failed),
        (error) => parts.map((part) => ({ errors: state.failed(part, String(error), undefined) }) as GatewayGraphQLResponse),
      )
      // An answer that is not what a GraphQL response should be (errors not a list, say) fails each caller with a code, never the process.
      .catch((error) => parts.map((part) => ({
        errors: state.failed(part, `Subgraph "${this.subgraph}" answered with a malformed GraphQL response: ${(error as Error).message}`, { code: 'SUBGRAPH_UNAVAILABLE', reason: 'malformed-response' }),
      }) as GatewayGraphQLResponse))
      .then((answers) => group.forEach((w, i) => {
        if (w.timer) clearTimeout(w.timer);
        w.resolve(answers[i]);
      }))
      .finally(() => this.#done(key, state, group.length, started));
  }
}

function waitingRepresentations(state: KeyState): number {
  let count = 0;
  for (const w of state.waiting) count += w.representations.length;
  return count;
}

/**
 * An entity answered to several callers of a merged call is each caller's
 * own deep copy: @apollo/gateway merges each operation's later fetches into
 * the objects of its earlier ones, so two operations holding one nested
 * object would see each other's fields. Within one caller the shallow copies
 * of expandEntities do, as they did before merging.
 */
function copiesPerCaller(response: GatewayGraphQLResponse, expanded: GatewayGraphQLResponse, plan: UniqueRepresentations, parts: unknown[][]): GatewayGraphQLResponse {
  const received = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  const entities = (expanded.data as { _entities?: unknown } | null | undefined)?._entities;
  if (!Array.isArray(received) || received.length !== plan.unique.length || !Array.isArray(entities) || entities === received) return expanded;
  const ownerOf = new Int32Array(plan.unique.length).fill(-1);
  let caller = 0;
  let end = parts[0].length;
  for (let i = 0; i < plan.indexOf.length; i++) {
    while (i >= end) end += parts[++caller].length;
    const j = plan.indexOf[i];
    if (ownerOf[j] === -1) ownerOf[j] = caller;
    else if (ownerOf[j] !== caller && received[j] !== null && typeof received[j] === 'object') entities[i] = copyJson(received[j]);
  }
  return expanded;
}

/**
 * One merged answer cut back into each caller's: its slice of `_entities`,
 * the errors about its positions (renumbered from 0), and the errors about
 * no position for everyone. A caller whose part of a failed answer carries
 * no error (a failed fetch reports at most a hundred positions) gets the
 * failure's own errors for its representations.
 */
export function splitEntities(
  response: GatewayGraphQLResponse,
  parts: unknown[][],
  failed: KeyState['failed'],
): GatewayGraphQLResponse[] {
  const total = parts.reduce((n, p) => n + p.length, 0);
  const received = (response.data as { _entities?: unknown } | null | undefined)?._entities;
  const complete = Array.isArray(received) && received.length === total;
  const starts: number[] = [];
  let offset = 0;
  for (const part of parts) {
    starts.push(offset);
    offset += part.length;
  }
  const partOf = (index: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const errors: GraphQLFormattedError[][] = parts.map(() => []);
  const general: GraphQLFormattedError[] = [];
  for (const error of response.errors ?? []) {
    const path = error.path;
    if (path && path[0] === '_entities' && typeof path[1] === 'number' && path[1] < total) {
      const part = partOf(path[1]);
      errors[part].push({ ...error, path: ['_entities', path[1] - starts[part], ...path.slice(2)] });
    } else {
      general.push(error);
    }
  }
  return parts.map((part, i) => {
    const own = [...errors[i], ...general];
    const answer: GatewayGraphQLResponse = {};
    if (complete) answer.data = { ...response.data, _entities: (received as unknown[]).slice(starts[i], starts[i] + part.length) };
    else if (response.data !== undefined) answer.data = response.data === null ? null : { ...response.data, _entities: null };
    if (!complete && own.length === 0) {
      const first = response.errors?.[0];
      own.push(...failed(part, first?.message ?? 'The subgraph answered without entities', first?.extensions as Record<string, unknown> | undefined));
    }
    if (own.length > 0) answer.errors = own;
    if (response.extensions) answer.extensions = response.extensions;
    return answer;
  });
}
