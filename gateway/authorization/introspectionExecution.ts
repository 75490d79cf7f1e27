import {
  GraphQLError,
  Kind,
  executeSync,
  getOperationAST,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type InlineFragmentNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

const INTROSPECTION_ROOT_FIELDS = new Set(['__schema', '__type']);

/**
 * The introspection part of an operation, as its own query: the root
 * `__schema` / `__type` selections (through inline fragments and spreads,
 * with their `@skip`/`@include`), the fragment definitions and only the
 * variables they use. Undefined when the operation has none (or is not a
 * query: `__schema` and `__type` live on the query root only). Same shape as
 * what @apollo/gateway executes locally for introspection, so the answer has
 * the same response keys.
 */
export function introspectionOnlyDocument(document: DocumentNode, operationName?: string | null): DocumentNode | undefined {
  const operation = getOperationAST(document, operationName);
  if (!operation || operation.operation !== 'query') return undefined;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const spreading = new Set<string>();

  const keep = (set: SelectionSetNode): SelectionSetNode | undefined => {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (INTROSPECTION_ROOT_FIELDS.has(selection.name.value)) selections.push(selection);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const inner = keep(selection.selectionSet);
        if (inner) selections.push({ ...selection, selectionSet: inner });
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spreading.has(fragment.name.value)) continue;
        spreading.add(fragment.name.value);
        const inner = keep(fragment.selectionSet);
        spreading.delete(fragment.name.value);
        // A root spread becomes an inline fragment: the fragment may also hold data fields.
        if (inner) selections.push({ kind: Kind.INLINE_FRAGMENT, typeCondition: fragment.typeCondition, directives: selection.directives, selectionSet: inner } satisfies InlineFragmentNode);
      }
    }
    return selections.length ? { kind: Kind.SELECTION_SET, selections } : undefined;
  };

  const selectionSet = keep(operation.selectionSet);
  if (!selectionSet) return undefined;

  // Variables used by the kept selections and the fragments they reach (e.g. GraphiQL's `...FullType`).
  const used = new Set<string>();
  const queue: Array<SelectionSetNode> = [selectionSet];
  const visited = new Set<string>();
  while (queue.length) {
    visit(queue.pop()!, {
      Variable: (node) => void used.add(node.name.value),
      FragmentSpread: (node) => {
        const fragment = fragments.get(node.name.value);
        if (fragment && !visited.has(node.name.value)) {
          visited.add(node.name.value);
          queue.push(fragment.selectionSet);
        }
      },
    });
  }
  return {
    kind: Kind.DOCUMENT,
    definitions: [
      {
        ...operation,
        name: undefined,
        variableDefinitions: operation.variableDefinitions?.filter((definition) => used.has(definition.variable.name.value)),
        selectionSet,
      },
      ...[...visited].map((name) => fragments.get(name)!),
    ],
  };
}

/** The response keys the introspection document answers (aliases or names), for when it cannot be answered. */
function responseKeys(document: DocumentNode): string[] {
  const keys: string[] = [];
  const operation = document.definitions[0];
  if (operation.kind !== Kind.OPERATION_DEFINITION) return keys;
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) keys.push(selection.alias?.value ?? selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
    }
  };
  collect(operation.selectionSet);
  return keys;
}

/**
 * Answers the introspection part against the caller's visible schema and
 * writes it over `data` (the gateway's answer, which introspected the whole
 * API schema): every introspection response key is replaced, so nothing of
 * the whole schema reaches the caller. If it cannot be answered (it should
 * not happen: the operation was validated and its variables coerced), those
 * keys become null and the errors are returned.
 */
export function answerIntrospection(
  data: Record<string, unknown>,
  introspection: DocumentNode,
  visible: GraphQLSchema,
  variables: Record<string, unknown> | undefined,
): GraphQLError[] {
  const answer = executeSync({ schema: visible, document: introspection, rootValue: {}, variableValues: variables });
  if (answer.data && !answer.errors?.length) {
    for (const [key, value] of Object.entries(answer.data)) data[key] = value;
    // Keys skipped by @skip/@include in both answers are absent from both.
    return [];
  }
  for (const key of responseKeys(introspection)) if (key in data) data[key] = null;
  return answer.errors?.length ? [...answer.errors] : [new GraphQLError('Introspection could not be answered.', { extensions: { code: 'INTERNAL_SERVER_ERROR' } })];
}
