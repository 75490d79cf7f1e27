import {
  FieldsOnCorrectTypeRule,
  KnownArgumentNamesRule,
  KnownTypeNamesRule,
  Kind,
  ValuesOfCorrectTypeRule,
  getNamedType,
  isInputObjectType,
  isObjectType,
  isInterfaceType,
  typeFromAST,
  validate,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';

/** The validation rules whose messages carry "Did you mean …?" (graphql-js 16). */
const SUGGESTING_RULES = [FieldsOnCorrectTypeRule, KnownTypeNamesRule, KnownArgumentNamesRule, ValuesOfCorrectTypeRule];

const SUGGESTION = /^(.*?) ?Did you mean (.+)\?$/s;

function quoted(text: string): string[] {
  return [...text.matchAll(/"([^"]+)"/g)].map((match) => match[1]);
}

function hasField(schema: GraphQLSchema, typeName: string, fieldName: string): boolean {
  const type = schema.getType(typeName);
  return Boolean(type && (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) && fieldName in type.getFields());
}

/**
 * Whether every name a "Did you mean …?" message suggests exists in the
 * caller's visible schema where the message points. Messages of a shape not
 * recognised here count as not visible (their suggestions get stripped).
 */
export function suggestionIsVisible(message: string, visible: GraphQLSchema): boolean {
  const match = SUGGESTION.exec(message);
  if (!match) return true;
  const [, head, tail] = match;
  const names = quoted(tail);
  let m: RegExpExecArray | null;
  if ((m = /^Cannot query field "[^"]+" on type "([^"]+)"\./.exec(head))) {
    return tail.startsWith('to use an inline fragment on')
      ? names.every((name) => visible.getType(name) !== undefined)
      : names.every((name) => hasField(visible, m![1], name));
  }
  if (/^Unknown type "[^"]+"\./.test(head)) return names.every((name) => visible.getType(name) !== undefined);
  // Arguments go with their field (and directives are not filtered): visible if the field is.
  if ((m = /^Unknown argument "[^"]+" on field "([^".]+)\.([^"]+)"\./.exec(head))) return hasField(visible, m[1], m[2]);
  if (/^Unknown argument "[^"]+" on directive "@[^"]+"\./.test(head)) return true;
  // Enum values go with their enum.
  if ((m = /^Value "[^"]*" does not exist in "([^"]+)" enum\./.exec(head))) return visible.getType(m[1]) !== undefined;
  if ((m = /^Field "[^"]+" is not defined by type "([^"]+)"\./.exec(head))) return names.every((name) => hasField(visible, m![1], name));
  return false;
}

/**
 * Whether the "Did you mean …?" suggestions this document can produce
 * against the whole API schema could name something outside the caller's
 * visible schema: in its validation errors (fields, types, arguments, enum
 * values, input fields), or — for variables declared with a type the caller
 * cannot see — in the variable coercion errors of execution.
 */
export function suggestionsLeak(document: DocumentNode, schema: GraphQLSchema, visible: GraphQLSchema): boolean {
  if (schema === visible) return false;
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    for (const variable of definition.variableDefinitions ?? []) {
      const type = typeFromAST(schema, variable.type);
      if (type && !visible.getType(getNamedType(type).name)) return true;
    }
  }
  return validate(schema, document, SUGGESTING_RULES).some((error) => !suggestionIsVisible(error.message, visible));
}
