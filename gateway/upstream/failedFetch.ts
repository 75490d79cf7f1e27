import { Kind, parse, type GraphQLFormattedError, type SelectionSetNode } from 'graphql';

/**
 * When a subgraph call fails as a whole (connection refused, timeout, not
 * GraphQL), @apollo/gateway would report one error without a path. Instead the
 * data source answers with one error per field the fetch was asked for, with
 * the path in the subgraph's own response shape — `[field]` for a root fetch,
 * `['_entities', i, field]` for an entity fetch — which the gateway rewrites
 * into the path in the client's response. The fields come back null, the rest
 * of the answer still comes.
 */

/** Which response keys a fetch asks for: root fields, or per entity type the fields inside `_entities`. */
type FetchShape =
  | { kind: 'root'; fields: string[] }
  | {
    kind: 'entities'; fieldsByType: Map<string, string[]>; untyped: string[];
    /** A query plan's own entity fetch: a query of `_entities(representations: $representations)` and nothing else. */
    planned: boolean;
  };

/**
 * Bounded: one error per field per entity; past this a list of 1,000 failed
 * entities would make a response of errors. The fields past the cap are still
 * null; the errors already name the subgraph and the cause.
 */
export const MAX_FAILURE_ERRORS = 100;

/** Fetch operations come from query plans (a bounded set), so this cache stays small; the cap is a guard. */
const shapes = new Map<string, FetchShape>();
const MAX_SHAPES = 2_000;

function responseKeys(selectionSet: SelectionSetNode): string[] {
  const keys: string[] = [];
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      if (selection.name.value !== '__typename') keys.push(selection.alias?.value ?? selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      keys.push(...responseKeys(selection.selectionSet));
    }
  }
  return keys;
}

function shapeOf(query: string): FetchShape {
  let shape = shapes.get(query);
  if (shape) return shape;
  const operation = parse(query, { noLocation: true }).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
  const entities = operation?.selectionSet.selections.find(
    (s) => s.kind === Kind.FIELD && s.name.value === '_entities',
  );
  if (operation && entities && entities.kind === Kind.FIELD && entities.selectionSet) {
    const fieldsByType = new Map<string, string[]>();
    const untyped: string[] = [];
    for (const selection of entities.selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT && selection.typeCondition) {
        const type = selection.typeCondition.name.value;
        fieldsByType.set(type, [...(fieldsByType.get(type) ?? []), ...responseKeys(selection.selectionSet)]);
      } else if (selection.kind === Kind.FIELD && selection.name.value !== '__typename') {
        untyped.push(selection.alias?.value ?? selection.name.value);
      }
    }
    const only = operation.selectionSet.selections.length === 1 ? entities : undefined;
    const argument = only?.arguments?.length === 1 ? only.arguments[0] : undefined;
    const planned = operation.operation === 'query' && only?.alias === undefined && argument?.name.value === 'representations'
      && argument.value.kind === Kind.VARIABLE && argument.value.name.value === 'representations';
    shape = { kind: 'entities', fieldsByType, untyped, planned };
  } else {
    shape = { kind: 'root', fields: operation ? responseKeys(operation.selectionSet) : [] };
  }
  if (shapes.size >= MAX_SHAPES) shapes.clear();
  shapes.set(query, shape);
  return shape;
}

/**
 * Whether a fetch is a query plan's entity fetch — `_entities(representations:
 * $representations)` and nothing else — the only kind whose representations
 * may be merged with other operations' (ADR 0019): a client's own variable
 * named `representations` on a root field must never join other callers' lists.
 */
export function isEntityFetch(query: string): boolean {
  try {
    const shape = shapeOf(query);
    return shape.kind === 'entities' && shape.planned;
  } catch {
    return false;
  }
}

/** The errors that stand for a failed fetch: one per requested field, with its path. */
export function failedFetchErrors(
  query: string,
  variables: Record<string, unknown> | undefined,
  message: string,
  extensions: Record<string, unknown>,
): GraphQLFormattedError[] {
  let shape: FetchShape;
  try {
    shape = shapeOf(query);
  } catch {
    return [{ message, extensions }];
  }
  const errors: GraphQLFormattedError[] = [];
  if (shape.kind === 'root') {
    for (const field of shape.fields) errors.push({ message, path: [field], extensions });
  } else {
    const representations = Array.isArray(variables?.representations) ? (variables.representations as Array<{ __typename?: string }>) : [];
    outer: for (let index = 0; index < representations.length; index++) {
      const type = representations[index]?.__typename;
      const fields = [...((type && shape.fieldsByType.get(type)) || []), ...shape.untyped];
      for (const field of fields) {
        if (errors.length >= MAX_FAILURE_ERRORS) break outer;
        errors.push({ message, path: ['_entities', index, field], extensions });
      }
    }
  }
  return errors.length > 0 ? errors : [{ message, extensions }];
}
