import { Kind, parse, type DocumentNode, type TypeNode } from 'graphql';

/** Object types of an SDL (definitions and extensions merged): field name → named return type. */
export function objectFieldsOf(typeDefs: string | DocumentNode): Map<string, Map<string, string>> {
  const document = typeof typeDefs === 'string' ? parse(typeDefs) : typeDefs;
  const types = new Map<string, Map<string, string>>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OBJECT_TYPE_DEFINITION && definition.kind !== Kind.OBJECT_TYPE_EXTENSION) continue;
    const fields = types.get(definition.name.value) ?? new Map<string, string>();
    for (const field of definition.fields ?? []) fields.set(field.name.value, namedTypeOf(field.type));
    types.set(definition.name.value, fields);
  }
  return types;
}

export function namedTypeOf(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedTypeOf(type.type);
}
