import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  parse,
  type DirectiveNode,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { limitError } from './limitErrors.js';

export interface OperationLimits {
  /** @default 15 — the Customer 360 query is 6 deep; 15 leaves room without allowing recursion bombs. */
  maxDepth: number;
  /** @default 30 — a screen rarely needs more; each alias is another resolver call. */
  maxAliases: number;
  /** @default 20 */
  maxRootFields: number;
  /** @default 5000 — parsing stops there (graphql's maxTokens), so a 1 MB document costs no parse. */
  maxTokens: number;
  /** @default 50 */
  maxDirectives: number;
  /**
   * @default 250000 — fields × list sizes. Customer 360 with 10-item lists is
   * ~2,000; a 50-customer page with orders, lines, products and stock is
   * ~110,000 (measured by bench/gateway.ts), the largest screen we serve. A
   * cost bomb (`first: 100000` nested three deep) is ~10^15, far above.
   */
  maxCost: number;
  /** List size assumed for a list field without first/last. @default 10 */
  defaultListSize: number;
}

export const DEFAULT_OPERATION_LIMITS: OperationLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxRootFields: 20,
  maxTokens: 5000,
  maxDirectives: 50,
  maxCost: 250_000,
  defaultListSize: 10,
};

export interface OperationMeasure {
  depth: number;
  aliases: number;
  rootFields: number;
  directives: number;
  cost: number;
}

export interface LimitCheck {
  /** The parsed document (when a source was given and parsed). */
  document?: DocumentNode;
  measure?: OperationMeasure;
  /** Empty when within every limit; each error carries its own code. */
  errors: GraphQLError[];
}

interface SetMeasure {
  depth: number;
  aliases: number;
  directives: number;
  cost: number;
  fields: number;
}

/**
 * Checks an operation against the abuse limits before anything else touches
 * it (validation, authorization, planning): one pass over the AST, fragments
 * measured once each (so a fragment fan-out bomb costs its size, not its
 * expansion), with list sizes from `first`/`last` arguments (literals or
 * variables) and `defaultListSize` for other list fields when a schema is
 * given. A source string is parsed with graphql's `maxTokens`, so an
 * oversized document is refused while lexing.
 */
export function checkOperationLimits(
  documentOrSource: string | DocumentNode,
  limits: Partial<OperationLimits> = {},
  options: { schema?: GraphQLSchema; variables?: Record<string, unknown> | null; operationName?: string | null } = {},
): LimitCheck {
  const config = { ...DEFAULT_OPERATION_LIMITS, ...limits };
  let document: DocumentNode;
  if (typeof documentOrSource === 'string') {
    try {
      document = parse(documentOrSource, { maxTokens: config.maxTokens, noLocation: false });
    } catch (error) {
      const message = (error as Error).message;
      // graphql 16 words it "more that N tokens" (sic); accept both spellings.
      if (/more th(?:an|at) \d+ tokens/.test(message)) {
        return { errors: [limitError('MAX_TOKENS_EXCEEDED', `The document has more than ${config.maxTokens} tokens; parsing was stopped.`, { limit: config.maxTokens, actual: config.maxTokens + 1 })] };
      }
      const parseError = error instanceof GraphQLError ? error : new GraphQLError(message);
      return { errors: [new GraphQLError(parseError.message, { nodes: parseError.nodes, source: parseError.source, positions: parseError.positions, extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
    }
  } else document = documentOrSource;

  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const fragmentMeasures = new Map<string, SetMeasure>();
  const inProgress = new Set<string>();
  const variables = options.variables ?? {};
  const schema = options.schema;

  const listSize = (field: FieldNode, parentType: GraphQLCompositeType | undefined): number => {
    for (const argument of field.arguments ?? []) {
      if (argument.name.value === 'first' || argument.name.value === 'last') {
        const size = intValue(argument.value, variables);
        if (size !== undefined) return Math.max(0, size);
      }
    }
    if (!parentType || !('getFields' in parentType)) return 1;
    const fieldDef = parentType.getFields()[field.name.value];
    return fieldDef && isListType(getNullableType(fieldDef.type)) ? config.defaultListSize : 1;
  };

  const measureSet = (set: SelectionSetNode, parentType: GraphQLCompositeType | undefined): SetMeasure => {
    const total: SetMeasure = { depth: 0, aliases: 0, directives: 0, cost: 0, fields: 0 };
    const add = (inner: SetMeasure, depthOffset: number) => {
      total.depth = Math.max(total.depth, inner.depth + depthOffset);
      total.aliases += inner.aliases;
      total.directives += inner.directives;
      total.cost += inner.cost;
      total.fields += inner.fields;
    };
    for (const selection of set.selections) {
      total.directives += countDirectives(selection.directives);
      if (selection.kind === Kind.FIELD) {
        total.fields += 1;
        if (selection.alias) total.aliases += 1;
        let child: SetMeasure = { depth: 0, aliases: 0, directives: 0, cost: 0, fields: 0 };
        let childType: GraphQLCompositeType | undefined;
        if (parentType && 'getFields' in parentType) {
          const named = parentType.getFields()[selection.name.value];
          childType = named ? (getNamedType(named.type) as GraphQLCompositeType) : undefined;
        }
        if (selection.selectionSet) child = measureSet(selection.selectionSet, childType);
        total.depth = Math.max(total.depth, child.depth + 1);
        total.aliases += child.aliases;
        total.directives += child.directives;
        total.cost += 1 + listSize(selection, parentType) * child.cost;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const conditionType = selection.typeCondition && schema ? (schema.getType(selection.typeCondition.name.value) as GraphQLCompositeType | undefined) : parentType;
        add(measureSet(selection.selectionSet, conditionType), 0);
      } else {
        const name = selection.name.value;
        let inner = fragmentMeasures.get(name);
        if (!inner) {
          const fragment = fragments.get(name);
          if (!fragment || inProgress.has(name)) continue; // unknown or cyclic: validation reports it
          inProgress.add(name);
          const conditionType = schema ? (schema.getType(fragment.typeCondition.name.value) as GraphQLCompositeType | undefined) : undefined;
          inner = measureSet(fragment.selectionSet, conditionType);
          inner = { ...inner, directives: inner.directives + countDirectives(fragment.directives) };
          inProgress.delete(name);
          fragmentMeasures.set(name, inner);
        }
        add(inner, 0);
      }
    }
    return total;
  };

  const errors: GraphQLError[] = [];
  const operations = document.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
  const selected = options.operationName ? operations.filter((o) => o.name?.value === options.operationName) : operations;
  let worst: OperationMeasure = { depth: 0, aliases: 0, rootFields: 0, directives: 0, cost: 0 };
  for (const operation of selected) {
    const rootType = schema?.getRootType(operation.operation) ?? undefined;
    const measure = measureSet(operation.selectionSet, rootType);
    worst = {
      depth: Math.max(worst.depth, measure.depth),
      aliases: Math.max(worst.aliases, measure.aliases),
      rootFields: Math.max(worst.rootFields, measure.fields),
      directives: Math.max(worst.directives, measure.directives + countDirectives(operation.directives)),
      cost: Math.max(worst.cost, measure.cost),
    };
  }
  const over = (code: Parameters<typeof limitError>[0], what: string, actual: number, limit: number) => {
    if (actual > limit) errors.push(limitError(code, `The operation ${what} ${formatNumber(actual)}, over the limit of ${formatNumber(limit)}.`, { limit, actual }));
  };
  over('MAX_DEPTH_EXCEEDED', 'has a depth of', worst.depth, config.maxDepth);
  over('MAX_ALIASES_EXCEEDED', 'uses aliases:', worst.aliases, config.maxAliases);
  over('MAX_ROOT_FIELDS_EXCEEDED', 'selects root fields:', worst.rootFields, config.maxRootFields);
  over('MAX_DIRECTIVES_EXCEEDED', 'uses directives:', worst.directives, config.maxDirectives);
  over('MAX_COST_EXCEEDED', 'has an estimated cost of', worst.cost, config.maxCost);
  return { document, measure: worst, errors };
}

function countDirectives(directives: readonly DirectiveNode[] | undefined): number {
  return directives?.length ?? 0;
}

function intValue(value: ValueNode, variables: Record<string, unknown>): number | undefined {
  if (value.kind === Kind.INT) return Number(value.value);
  if (value.kind === Kind.VARIABLE) {
    const raw = variables[value.name.value];
    return typeof raw === 'number' && Number.isFinite(raw) ? raw : undefined;
  }
  return undefined;
}

function formatNumber(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : value.toExponential(2);
}
