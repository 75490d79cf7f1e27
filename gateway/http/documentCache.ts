import { createHash } from 'node:crypto';
import { limitError } from '../limits/limitErrors.js';
import { GraphQLError, parse, specifiedRules, validate, type DocumentNode, type GraphQLSchema, type ValidationRule } from 'graphql';

/**
 * Parsed and validated documents, keyed by query text, so a repeated
 * operation costs one Map lookup: no parse, no validation, no hashing per
 * request. Validation results are kept per schema object and recomputed only
 * after a hot reload swaps the schema.
 */
export interface CachedDocument {
  /** sha256 of the query text: the gateway's query-plan cache key. */
  readonly queryHash: string;
  readonly document?: DocumentNode;
  readonly parseError?: GraphQLError;
  validatedFor?: GraphQLSchema;
  validationErrors?: readonly GraphQLError[];
}

export class DocumentCache {
  readonly #entries = new Map<string, CachedDocument>();
  readonly #rules: readonly ValidationRule[];

  /**
   * @param maxEntries Bound on distinct queries kept. 1,000 covers a real
   *   client fleet's operations many times over; an attacker sending unique
   *   queries only churns the oldest entries.
   */
  constructor(
    extraRules: readonly ValidationRule[],
    private readonly maxEntries = 1_000,
    /** graphql's parse `maxTokens`: lexing stops there (MAX_TOKENS_EXCEEDED), so a huge document costs no parse. */
    private readonly maxTokens?: number,
  ) {
    this.#rules = [...specifiedRules, ...extraRules];
  }

  /** The document for `query`, parsed once; a parse failure is cached too (as `parseError`). */
  get(query: string): CachedDocument {
    let entry = this.#entries.get(query);
    if (entry) return entry;
    const queryHash = createHash('sha256').update(query).digest('hex');
    try {
      entry = { queryHash, document: parse(query, this.maxTokens === undefined ? undefined : { maxTokens: this.maxTokens }) };
    } catch (error) {
      // graphql 16 words it "more that N tokens" (sic). Not cached: such documents are big, and caching them is what an attacker would want.
      if (this.maxTokens !== undefined && /more th(?:an|at) \d+ tokens/.test((error as Error).message)) {
        return { queryHash, parseError: limitError('MAX_TOKENS_EXCEEDED', `The document has more than ${this.maxTokens} tokens; parsing was stopped.`, { limit: this.maxTokens, actual: this.maxTokens + 1 }) };
      }
      entry = { queryHash, parseError: error instanceof GraphQLError ? error : new GraphQLError(String(error)) };
    }
    // FIFO eviction: cheaper than LRU bookkeeping on every hit, and hot queries come straight back.
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(query, entry);
    return entry;
  }

  /** Validation errors of a parsed entry against `schema`, computed once per schema. */
  validate(entry: CachedDocument, schema: GraphQLSchema): readonly GraphQLError[] {
    if (entry.validatedFor !== schema) {
      entry.validationErrors = validate(schema, entry.document!, this.#rules);
      entry.validatedFor = schema;
    }
    return entry.validationErrors!;
  }
}
