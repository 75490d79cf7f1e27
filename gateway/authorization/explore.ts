import { GraphQLError, Kind, type DocumentNode, type FragmentDefinitionNode, type SelectionSetNode } from 'graphql';
import { hasScope, type Principal } from '../../platform/auth/principal.js';

export const EXPLORE_SCOPE = 'explore';

/**
 * In production, introspection and "Did you mean …" suggestions are for
 * callers with the `explore` scope only; outside production they stay open.
 * Either way a caller sees only the fields their rules let them read
 * (introspectionPlugin.ts).
 */
export function mayExplore(principal: Principal, production: boolean): boolean {
  return !production || hasScope(principal, EXPLORE_SCOPE);
}

/** Whether the operation selects `__schema` or `__type` anywhere (fragments included). `__typename` is not introspection. */
export function isIntrospection(document: DocumentNode): boolean {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const seen = new Set<string>();
  const visit = (set: SelectionSetNode): boolean =>
    set.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === '__schema' || s.name.value === '__type' || (s.selectionSet ? visit(s.selectionSet) : false);
      if (s.kind === Kind.INLINE_FRAGMENT) return visit(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      const fragment = fragments.get(s.name.value);
      return fragment ? visit(fragment.selectionSet) : false;
    });
  return document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && visit(d.selectionSet));
}

/** Refuses introspection to a caller who may not explore (call after parsing, before execution). */
export function checkIntrospectionAllowed(document: DocumentNode, principal: Principal, production: boolean): GraphQLError | undefined {
  if (mayExplore(principal, production) || !isIntrospection(document)) return undefined;
  return new GraphQLError('Introspection is available to callers with the "explore" scope only.', {
    extensions: { code: 'INTROSPECTION_DISABLED', http: { status: 403 } },
  });
}

const SUGGESTION = / ?Did you mean .+\?$/;

/**
 * Removes "Did you mean …?" from validation errors for callers who may not
 * explore: the suggestions would enumerate field, type and argument names.
 */
export function stripSuggestions<T extends { message: string }>(errors: readonly T[], principal: Principal, production: boolean): T[] {
  if (mayExplore(principal, production)) return [...errors];
  return errors.map((error) => {
    if (!SUGGESTION.test(error.message)) return error;
    const message = error.message.replace(SUGGESTION, '');
    return error instanceof GraphQLError
      ? (new GraphQLError(message, { nodes: error.nodes, source: error.source, positions: error.positions, path: error.path, extensions: error.extensions }) as unknown as T)
      : { ...error, message };
  });
}
