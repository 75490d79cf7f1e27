import { createHash } from 'node:crypto';
import { Kind, parse, type OperationDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';
import { classTag, keyTag, recordTag, type EntityCachePolicy, type EntityCacheRule } from './cachePolicy.js';

/**
 * What the cache can do with one subgraph fetch of a query plan, read once per
 * fetch text (plans are cached, so the set of texts is bounded):
 *
 * - `entities`: an `_entities` fetch; per entity type, the rule that lets it
 *   be cached (or none: that type is always fetched);
 * - `root`: a query whose every root field is cacheable; the tags of an
 *   answer come from the id arguments;
 * - `none`: fetched as usual.
 */
export type FetchShape =
  | { kind: 'none' }
  | { kind: 'entities'; id: string; rules: ReadonlyMap<string, EntityCacheRule> }
  | { kind: 'root'; id: string; tags: (variables: Record<string, unknown> | undefined) => string[] | undefined };

const NONE: FetchShape = { kind: 'none' };

function topLevelFields(selectionSet: SelectionSetNode): string[] | undefined {
  const fields: string[] = [];
  for (const selection of selectionSet.selections) {
    // Fragment spreads do not occur in plan fetches; if one did, the shape is not understood and nothing is cached.
    if (selection.kind !== Kind.FIELD) return undefined;
    fields.push(selection.name.value);
  }
  return fields;
}

function argumentValue(value: ValueNode, variables: Record<string, unknown> | undefined): unknown {
  if (value.kind === Kind.VARIABLE) return variables?.[value.name.value];
  if (value.kind === Kind.STRING || value.kind === Kind.INT) return value.value;
  return undefined;
}

function entitiesShape(operation: OperationDefinitionNode, subgraphRules: readonly EntityCacheRule[], id: string): FetchShape {
  const [root] = operation.selectionSet.selections;
  if (operation.selectionSet.selections.length !== 1 || root.kind !== Kind.FIELD || !root.selectionSet) return NONE;
  const rules = new Map<string, EntityCacheRule>();
  for (const selection of root.selectionSet.selections) {
    if (selection.kind === Kind.FIELD && selection.name.value === '__typename') continue;
    if (selection.kind !== Kind.INLINE_FRAGMENT || !selection.typeCondition) return NONE;
    const typename = selection.typeCondition.name.value;
    const rule = subgraphRules.find((r) => r.typename === typename);
    const fields = topLevelFields(selection.selectionSet);
    if (!rule || !fields) continue;
    if (rule.fields && !fields.every((f) => rule.fields!.includes(f))) continue;
    rules.set(typename, rule);
  }
  return rules.size ? { kind: 'entities', id, rules } : NONE;
}

function rootShape(operation: OperationDefinitionNode, subgraphRules: readonly EntityCacheRule[], id: string): FetchShape {
  const taggers: Array<(variables: Record<string, unknown> | undefined) => string | undefined> = [];
  for (const selection of operation.selectionSet.selections) {
    if (selection.kind !== Kind.FIELD) return NONE;
    if (selection.name.value === '__typename') continue;
    const rule = subgraphRules.find((r) => r.rootField === selection.name.value);
    const argument = rule?.idArgument && selection.arguments?.find((a) => a.name.value === rule.idArgument);
    if (!rule || !argument) return NONE;
    taggers.push((variables) => {
      const value = argumentValue(argument.value, variables);
      return typeof value === 'string' || typeof value === 'number' ? recordTag(rule.entity, String(value)) : undefined;
    });
  }
  if (taggers.length === 0) return NONE;
  return {
    kind: 'root',
    id,
    tags(variables) {
      const tags: string[] = [];
      for (const tagger of taggers) {
        const tag = tagger(variables);
        // An id that cannot be read makes the entry untaggable: such an answer is not cached.
        if (tag === undefined) return undefined;
        tags.push(tag);
      }
      return tags;
    },
  };
}

/** Reads a fetch's text against the policy; never throws (a fetch not understood is simply not cached). */
export function fetchShapeOf(subgraph: string, query: string, policy: EntityCachePolicy): FetchShape {
  const subgraphRules = policy.rules.filter((r) => r.subgraph === subgraph);
  if (subgraphRules.length === 0) return NONE;
  let operation: OperationDefinitionNode | undefined;
  try {
    const document = parse(query, { noLocation: true });
    if (document.definitions.length !== 1 || document.definitions[0].kind !== Kind.OPERATION_DEFINITION) return NONE;
    operation = document.definitions[0];
  } catch {
    return NONE;
  }
  if (operation.operation !== 'query') return NONE;
  // A short id of the text: part of every key, so a changed plan never reads another plan's entries.
  const id = createHash('sha256').update(query).digest('base64url').slice(0, 22);
  const [first] = operation.selectionSet.selections;
  if (first?.kind === Kind.FIELD && first.name.value === '_entities') return entitiesShape(operation, subgraphRules.filter((r) => r.typename), id);
  return rootShape(operation, subgraphRules.filter((r) => r.rootField), id);
}

/**
 * The tags of one cached entity: its master id when the representation
 * carries it; else the values of the key it was found by (a product by SKU)
 * and the class, which only an event that names no key values invalidates.
 */
export function entityTags(rule: EntityCacheRule, representation: Record<string, unknown>): string[] {
  const id = representation.id;
  if (typeof id === 'string' || typeof id === 'number') return [recordTag(rule.entity, String(id))];
  const tags = [classTag(rule.entity)];
  for (const field in representation) {
    if (field === '__typename') continue;
    const value = representation[field];
    if (typeof value === 'string' || typeof value === 'number') tags.push(keyTag(rule.entity, field, String(value)));
  }
  return tags;
}
