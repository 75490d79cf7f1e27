import {
  Kind,
  parse,
  type ConstDirectiveNode,
  type ConstValueNode,
  type DocumentNode,
  type DefinitionNode,
} from 'graphql';
import { PII_MASKS, type PiiMask } from './masks.js';
import { combineRequirements, emptyRules, type AuthorizationRules, type Requirement } from './requirements.js';

/** The spec URL of Concord's PII-mask directive, composed with `@composeDirective(name: "@pii")`. */
export const PII_SPEC_URL = 'https://specs.concord.dev/pii/v0.1';

/** Local names of the three directives in one document, after `@link(import:, as:)` renames. */
export interface DirectiveNames {
  authenticated: Set<string>;
  requiresScopes: Set<string>;
  pii: Set<string>;
}

function stringOf(value: ConstValueNode | undefined): string | undefined {
  return value?.kind === Kind.STRING ? value.value : undefined;
}

function argument(directive: ConstDirectiveNode, name: string): ConstValueNode | undefined {
  return directive.arguments?.find((arg) => arg.name.value === name)?.value;
}

/**
 * Resolves which local names stand for `@authenticated`, `@requiresScopes`
 * and `@pii`, following the @link rules: an imported name (or its `as`) is
 * used bare; otherwise the name is `namespace__directive`, except a
 * directive named like its spec, which is `@namespace`. Bare names are
 * always accepted too, for SDL written without @link (tests, v1 subgraphs).
 */
export function resolveDirectiveNames(document: DocumentNode): DirectiveNames {
  const names: DirectiveNames = {
    authenticated: new Set(['authenticated']),
    requiresScopes: new Set(['requiresScopes']),
    pii: new Set(['pii']),
  };
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.SCHEMA_DEFINITION && definition.kind !== Kind.SCHEMA_EXTENSION) continue;
    for (const directive of definition.directives ?? []) {
      if (directive.name.value !== 'link') continue;
      const url = stringOf(argument(directive, 'url'));
      if (!url) continue;
      const specName = url.replace(/\/v\d+\.\d+\/?$/, '').split('/').pop() ?? '';
      const namespace = stringOf(argument(directive, 'as')) ?? specName;
      const wanted: Array<[keyof DirectiveNames, string]> = [];
      if (specName === 'federation') {
        wanted.push(['authenticated', 'authenticated'], ['requiresScopes', 'requiresScopes']);
      } else if (url.startsWith('https://specs.apollo.dev/authenticated/')) wanted.push(['authenticated', 'authenticated']);
      else if (url.startsWith('https://specs.apollo.dev/requiresScopes/')) wanted.push(['requiresScopes', 'requiresScopes']);
      else if (url.startsWith(PII_SPEC_URL.replace(/v\d+\.\d+$/, ''))) wanted.push(['pii', 'pii']);
      if (!wanted.length) continue;
      const imports = argument(directive, 'import');
      for (const [concept, directiveName] of wanted) {
        let local = directiveName === specName ? namespace : `${namespace}__${directiveName}`;
        if (imports?.kind === Kind.LIST) {
          for (const entry of imports.values) {
            if (entry.kind === Kind.STRING && entry.value === `@${directiveName}`) local = directiveName;
            if (entry.kind === Kind.OBJECT) {
              const name = entry.fields.find((f) => f.name.value === 'name')?.value;
              const as = entry.fields.find((f) => f.name.value === 'as')?.value;
              if (stringOf(name) === `@${directiveName}`) local = (stringOf(as) ?? `@${directiveName}`).replace(/^@/, '');
            }
          }
        }
        names[concept].add(local);
      }
    }
  }
  return names;
}

function readScopes(directive: ConstDirectiveNode): string[][] {
  const value = argument(directive, 'scopes');
  if (value?.kind !== Kind.LIST) throw new Error(`@${directive.name.value} needs scopes: [[String!]!]!`);
  return value.values.map((inner) => {
    const list = inner.kind === Kind.LIST ? inner.values : [inner];
    return list.map((scope) => {
      if (scope.kind !== Kind.STRING) throw new Error(`@${directive.name.value}: scopes must be strings`);
      return scope.value;
    });
  });
}

function readRequirement(directives: readonly ConstDirectiveNode[] | undefined, names: DirectiveNames): Requirement | undefined {
  let requirement: Requirement | undefined;
  for (const directive of directives ?? []) {
    const name = directive.name.value;
    if (names.authenticated.has(name)) requirement = combineRequirements(requirement, { authenticated: true, scopes: [] });
    if (names.requiresScopes.has(name)) requirement = combineRequirements(requirement, { authenticated: true, scopes: readScopes(directive) });
  }
  return requirement;
}

function readPii(directives: readonly ConstDirectiveNode[] | undefined, names: DirectiveNames, coordinate: string): PiiMask | undefined {
  const directive = directives?.find((d) => names.pii.has(d.name.value));
  if (!directive) return undefined;
  const mask = argument(directive, 'mask');
  const value = mask?.kind === Kind.ENUM ? mask.value : 'REDACT';
  if (!(PII_MASKS as readonly string[]).includes(value)) throw new Error(`${coordinate}: @pii(mask: ${value}) is not one of ${PII_MASKS.join(', ')}`);
  return value as PiiMask;
}

function isTypeDefinitionOrExtension(definition: DefinitionNode): definition is Extract<DefinitionNode, { name: unknown; directives?: unknown }> & { kind: Kind } {
  return 'name' in definition && definition.kind !== Kind.DIRECTIVE_DEFINITION && definition.kind !== Kind.OPERATION_DEFINITION && definition.kind !== Kind.FRAGMENT_DEFINITION;
}

/**
 * Reads the rule table from an SDL: a subgraph's type defs or a composed
 * supergraph. A type defined and extended (or a field present in several
 * places) gets the conjunction of what each place declares.
 */
export function readAuthorizationRules(sdl: string | DocumentNode): AuthorizationRules {
  const document = typeof sdl === 'string' ? parse(sdl) : sdl;
  const names = resolveDirectiveNames(document);
  const rules = emptyRules();
  for (const definition of document.definitions) {
    if (!isTypeDefinitionOrExtension(definition)) continue;
    const typeName = (definition as { name: { value: string } }).name.value;
    const typeRequirement = readRequirement((definition as { directives?: readonly ConstDirectiveNode[] }).directives, names);
    if (typeRequirement) rules.types[typeName] = combineRequirements(rules.types[typeName], typeRequirement);
    const fields = (definition as { fields?: ReadonlyArray<{ kind: Kind; name: { value: string }; directives?: readonly ConstDirectiveNode[] }> }).fields;
    if (definition.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION || definition.kind === Kind.INPUT_OBJECT_TYPE_EXTENSION) continue;
    for (const field of fields ?? []) {
      const coordinate = `${typeName}.${field.name.value}`;
      const requirement = readRequirement(field.directives, names);
      if (requirement) rules.fields[coordinate] = combineRequirements(rules.fields[coordinate], requirement);
      const mask = readPii(field.directives, names, coordinate);
      if (mask) rules.pii[coordinate] = mask;
    }
  }
  return rules;
}
