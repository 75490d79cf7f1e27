import {
  GraphQLError,
  Kind,
  getNamedType,
  isAbstractType,
  isCompositeType,
  isObjectType,
  typeFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type InlineFragmentNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Internal aliases the gateway adds to an operation and removes from the answer. */
export const TYPENAME_ALIAS = '_concordTypename';
export const ID_ALIAS = '_concordId';

/**
 * One step of a response path: the response key, the field's type as printed
 * (`[Contact!]!`) for list and null handling, and — when the field sits under
 * a type condition narrower than its enclosing field's abstract type — the
 * object types it applies to (checked against the injected __typename).
 */
export interface PathSegment {
  key: string;
  type: string;
  onTypes?: string[];
}

export interface VisitedField {
  node: FieldNode;
  /** The type the field is selected on (after inline fragments and spreads). */
  parentType: GraphQLCompositeType;
  fieldDef: GraphQLField<unknown, unknown>;
  coordinate: string;
  path: PathSegment[];
  /** The selection set holding the field (where an entity id alias can go). */
  container: SelectionSetNode;
  /** The enclosing field's selection set when its type is abstract (where the __typename alias must go). */
  abstractOwner?: SelectionSetNode;
}

export function selectOperation(document: DocumentNode, operationName?: string | null): OperationDefinitionNode {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  if (!operation) {
    throw new GraphQLError(operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.', {
      extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
    });
  }
  return operation;
}

/** `['customer', 'contacts', '@', 'email']`: the response path pattern, `@` standing for every list item (Router's notation). */
export function pathPattern(path: readonly PathSegment[]): string[] {
  const pattern: string[] = [];
  for (const segment of path) {
    pattern.push(segment.key);
    const depth = (segment.type.match(/\[/g) ?? []).length;
    if (segment !== path[path.length - 1]) for (let i = 0; i < depth; i += 1) pattern.push('@');
  }
  return pattern;
}

/**
 * Walks the fields an operation selects, following inline fragments and
 * fragment spreads, with each field's response path. The visitor returns
 * false to skip a field's children. Expects a validated document.
 */
export function walkOperationFields(
  document: DocumentNode,
  schema: GraphQLSchema,
  operationName: string | null | undefined,
  visitor: (field: VisitedField) => boolean | void,
  /** Called for each inline fragment / spread with a type condition; false skips (e.g. removes) it. */
  visitFragment?: (fragment: { node: InlineFragmentNode | FragmentSpreadNode; typeCondition: GraphQLCompositeType; path: PathSegment[] }) => boolean | void,
): void {
  const operation = selectOperation(document, operationName);
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return;
  const spreading = new Set<string>();

  const walk = (
    selectionSet: SelectionSetNode,
    type: GraphQLCompositeType,
    path: PathSegment[],
    owner: { set: SelectionSetNode; type: GraphQLCompositeType },
  ): void => {
    for (const selection of selectionSet.selections as readonly SelectionNode[]) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        if (name.startsWith('__')) continue;
        const fieldDef = 'getFields' in type ? type.getFields()[name] : undefined;
        if (!fieldDef) continue;
        const narrowed = isAbstractType(owner.type) && type !== owner.type;
        const segment: PathSegment = { key: selection.alias?.value ?? name, type: String(fieldDef.type) };
        if (narrowed) segment.onTypes = isObjectType(type) ? [type.name] : schema.getPossibleTypes(type as never).map((t) => t.name);
        const fieldPath = [...path, segment];
        const descend = visitor({
          node: selection,
          parentType: type,
          fieldDef,
          coordinate: `${type.name}.${name}`,
          path: fieldPath,
          container: selectionSet,
          abstractOwner: narrowed ? owner.set : undefined,
        });
        const childType = getNamedType(fieldDef.type);
        if (descend !== false && selection.selectionSet && isCompositeType(childType)) {
          walk(selection.selectionSet, childType, fieldPath, { set: selection.selectionSet, type: childType });
        }
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? typeFromAST(schema, selection.typeCondition) : type;
        if (!condition || !isCompositeType(condition)) continue;
        if (selection.typeCondition && visitFragment?.({ node: selection, typeCondition: condition, path }) === false) continue;
        walk(selection.selectionSet, condition, path, owner);
      } else {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || spreading.has(fragment.name.value)) continue;
        const condition = typeFromAST(schema, fragment.typeCondition);
        if (!condition || !isCompositeType(condition)) continue;
        if (visitFragment?.({ node: selection, typeCondition: condition, path }) === false) continue;
        spreading.add(fragment.name.value);
        walk(fragment.selectionSet, condition, path, owner);
        spreading.delete(fragment.name.value);
      }
    }
  };
  walk(operation.selectionSet, rootType, [], { set: operation.selectionSet, type: rootType });
}

export interface DocumentEdits {
  remove?: ReadonlySet<SelectionNode>;
  addTypename?: ReadonlySet<SelectionSetNode>;
  addId?: ReadonlySet<SelectionSetNode>;
}

function aliasedField(alias: string, name: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: alias }, name: { kind: Kind.NAME, value: name } };
}

/**
 * Applies field removals and internal aliases to a document. A selection set
 * left empty keeps `_concordTypename: __typename`, so the enclosing field
 * stays valid and still answers (the removed fields come back as null).
 * Fragments and variables no longer used are dropped, so the result still
 * passes validation (NoUnusedFragments / NoUnusedVariables).
 */
export function editDocument(document: DocumentNode, edits: DocumentEdits): DocumentNode {
  const rewrite = (set: SelectionSetNode): SelectionSetNode => {
    const selections: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (edits.remove?.has(selection)) continue;
        selections.push(selection.selectionSet ? { ...selection, selectionSet: rewrite(selection.selectionSet) } : selection);
      } else if (edits.remove?.has(selection)) {
        continue;
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        selections.push({ ...selection, selectionSet: rewrite(selection.selectionSet) });
      } else selections.push(selection);
    }
    if (edits.addId?.has(set)) selections.push(aliasedField(ID_ALIAS, 'id'));
    if (edits.addTypename?.has(set) || selections.length === 0) selections.push(aliasedField(TYPENAME_ALIAS, '__typename'));
    return { ...set, selections };
  };
  const definitions = document.definitions.map((definition) =>
    definition.kind === Kind.OPERATION_DEFINITION || definition.kind === Kind.FRAGMENT_DEFINITION
      ? { ...definition, selectionSet: rewrite(definition.selectionSet) }
      : definition,
  );
  return dropUnused({ ...document, definitions });
}

function spreadsAndVariables(set: SelectionSetNode, spreads: Set<string>, variables: Set<string>): void {
  const visitArgs = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    if ((node as { kind?: string }).kind === Kind.VARIABLE) variables.add((node as { name: { value: string } }).name.value);
    // Skip `loc`: its token list is a linked list as long as the document.
    for (const [key, value] of Object.entries(node)) if (key !== 'loc' && value && typeof value === 'object') visitArgs(value);
  };
  for (const selection of set.selections) {
    visitArgs(selection.directives);
    if (selection.kind === Kind.FRAGMENT_SPREAD) spreads.add(selection.name.value);
    else {
      if (selection.kind === Kind.FIELD) visitArgs(selection.arguments);
      if (selection.selectionSet) spreadsAndVariables(selection.selectionSet, spreads, variables);
    }
  }
}

function dropUnused(document: DocumentNode): DocumentNode {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const usedFragments = new Set<string>();
  const definitions = document.definitions.map((definition) => {
    if (definition.kind !== Kind.OPERATION_DEFINITION) return definition;
    const spreads = new Set<string>();
    const variables = new Set<string>();
    spreadsAndVariables(definition.selectionSet, spreads, variables);
    const queue = [...spreads];
    const seen = new Set<string>();
    while (queue.length) {
      const name = queue.pop()!;
      if (seen.has(name)) continue;
      seen.add(name);
      const fragment = fragments.get(name);
      if (fragment) {
        const inner = new Set<string>();
        spreadsAndVariables(fragment.selectionSet, inner, variables);
        queue.push(...inner);
      }
    }
    for (const name of seen) usedFragments.add(name);
    const variableDefinitions = definition.variableDefinitions?.filter((v) => variables.has(v.variable.name.value));
    return { ...definition, variableDefinitions };
  });
  return { ...document, definitions: definitions.filter((d) => d.kind !== Kind.FRAGMENT_DEFINITION || usedFragments.has(d.name.value)) };
}
