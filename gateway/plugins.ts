import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { DocumentNode, GraphQLError, GraphQLSchema, OperationDefinitionNode, ValidationRule } from 'graphql';

/**
 * The gateway's request lifecycle, as named hooks small plugins attach to
 * (auth, limits, authorization, tracing), one file each — the envelop/Hive
 * shape rather than one long server file. Every hook is optional. Hooks run
 * in array order. To reject a request, throw a `GatewayHttpError`
 * (gateway/errors.ts): it becomes an HTTP status plus a GraphQL error body.
 *
 *   HTTP request ─ onRequest ─ body (size, batch) ─ per operation: parse (maxTokens)
 *     ─ onDocument ─ validate (+ validationRules) ─ onOperation ─ plan (cached)
 *     ─ execute ─ willSendRequest per subgraph call ─ onResponse ─ JSON
 */

/**
 * Values plugins attach to a request for later hooks, e.g. the verified
 * principal. Extend it by declaration merging in the plugin's file:
 *
 *   declare module './plugins.js' { interface GatewayContextState { principal?: Principal } }
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface GatewayContextState {}

/** Per-request context: passed to every hook and, as `context`, to subgraph calls. */
export interface GatewayContext {
  /** `x-request-id` from the caller, or a generated one; echoed in the response. */
  readonly requestId: string;
  readonly method: string;
  /** The incoming headers (names lower-cased by node:http). */
  readonly headers: IncomingHttpHeaders;
  readonly state: GatewayContextState;
  /**
   * When the request's time is up (ms since the epoch): every subgraph call
   * gets what is left of it as its timeout and, in x-concord-budget-ms, as
   * the subgraph's budget. Unset (tests building a context by hand): each
   * call's own timeout only.
   */
  readonly deadline?: number;
  /** Keep "Did you mean …?" in error messages: outside production, or for callers with the explore scope (set by that plugin). */
  suggestions: boolean;
}

/** An operation right after parsing, before validation: the place for abuse limits (depth, aliases, cost). */
export interface ParsedOperation {
  readonly query: string;
  readonly document: DocumentNode;
  readonly operationName: string | null;
  readonly variables: Record<string, unknown>;
  /** The API schema it will be validated against. */
  readonly schema: GraphQLSchema;
}

/** The operation about to be planned, after parse and validation. */
export interface GatewayOperation {
  readonly query: string;
  readonly document: DocumentNode;
  readonly operation: OperationDefinitionNode;
  readonly operationName: string | null;
  readonly variables: Record<string, unknown>;
  /** The API schema the document was validated against. */
  readonly schema: GraphQLSchema;
}

/**
 * A replacement document from `onOperation` (e.g. authorization removing the
 * fields a caller may not see). `documentKey` names the variant — the plan
 * cache is keyed by the original query plus this key, so equal keys must mean
 * equal documents (e.g. a sorted list of the removed field paths).
 */
export interface GatewayOperationRewrite {
  readonly document: DocumentNode;
  readonly documentKey: string;
}

/** The response before it is serialised; hooks may change `data` and push errors. */
export interface GatewayResult {
  data?: Record<string, unknown> | null;
  errors: GraphQLError[];
  extensions?: Record<string, unknown>;
}

/** A subgraph call about to be sent; hooks may add headers (e.g. the gateway's proof token). */
export interface SubgraphRequest {
  readonly subgraphName: string;
  /** 'operation' for query-plan fetches, 'schema' for `{ _service { sdl } }` at composition, 'health-check'. */
  readonly kind: 'operation' | 'schema' | 'health-check';
  readonly request: {
    /** Outgoing headers; lower-case names. Identical in-flight queries are shared only when these match too. */
    readonly headers: Record<string, string>;
    readonly query: string;
    readonly operationName?: string;
    readonly variables?: Record<string, unknown>;
  };
  /** The incoming request's context; undefined for schema loading and health checks. */
  readonly context: GatewayContext | undefined;
}

export interface GatewayPlugin {
  /** Shown in logs when a hook throws something that is not a GatewayHttpError. */
  readonly name: string;
  /** Extra validation rules; static, so validation stays cached per document and schema. */
  readonly validationRules?: readonly ValidationRule[];
  /** Parsing stops after this many lexical tokens (graphql's maxTokens; the smallest of all plugins wins), so an oversized document costs no parse. */
  readonly maxTokens?: number;
  /** Before the body is read: authenticate, CSRF checks, fill `context.state`. */
  onRequest?(context: GatewayContext, request: IncomingMessage): void | Promise<void>;
  /** After parsing, before validation: refuse (throw a GatewayHttpError) an operation over a limit. */
  onDocument?(operation: ParsedOperation, context: GatewayContext): void | Promise<void>;
  /** After validation, before planning: limits (cost, batch size), or return a rewritten document. */
  onOperation?(operation: GatewayOperation, context: GatewayContext): void | GatewayOperationRewrite | Promise<void | GatewayOperationRewrite>;
  /** After execution, before serialisation: e.g. null out removed fields and add FORBIDDEN errors. */
  onResponse?(result: GatewayResult, operation: GatewayOperation, context: GatewayContext): void | Promise<void>;
  /** Before each subgraph HTTP call (also schema loading and health checks): add headers. */
  willSendRequest?(request: SubgraphRequest): void | Promise<void>;
}
