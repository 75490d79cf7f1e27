import { CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import { isInterfaceType, isObjectType, type GraphQLSchema } from 'graphql';

export type ChangeLevel = 'breaking' | 'dangerous' | 'safe';

/** One difference between the current and the proposed API schema, as plain data. */
export interface SchemaChange {
  level: ChangeLevel;
  /** graphql-inspector's change type, e.g. FIELD_REMOVED. */
  type: string;
  message: string;
  path?: string;
  /**
   * The usage coordinates (`Type.field`, `Type.field.arg`) whose recorded use
   * makes this change matter. Empty with `trackable: false` when usage data
   * cannot tell (enum values, input fields, union members): such a breaking
   * change stays breaking whatever the usage says.
   */
  coordinates: string[];
  trackable: boolean;
}

const levels: Record<CriticalityLevel, ChangeLevel> = {
  [CriticalityLevel.Breaking]: 'breaking',
  [CriticalityLevel.Dangerous]: 'dangerous',
  [CriticalityLevel.NonBreaking]: 'safe',
};

/**
 * Diffs two client-facing schemas with @graphql-inspector/core and maps each
 * change to the coordinates an operation must have used to be hurt by it.
 * The API schemas (supergraph minus federation plumbing) are compared, not
 * subgraph SDLs, because that is what clients see: a field moved from one
 * subgraph to another is not a change for them.
 */
export async function diffApiSchemas(before: GraphQLSchema | undefined, after: GraphQLSchema): Promise<SchemaChange[]> {
  if (!before) return [];
  const changes = await diff(before, after);
  return changes.map((change) => {
    const { coordinates, trackable } = affectedCoordinates(change, before);
    return {
      level: levels[change.criticality.level],
      type: change.type,
      message: change.message,
      path: change.path,
      coordinates,
      trackable,
    };
  });
}

function affectedCoordinates(change: Change, before: GraphQLSchema): { coordinates: string[]; trackable: boolean } {
  const meta = change.meta as { typeName?: string; fieldName?: string };
  // A new required argument breaks every operation selecting the field.
  if (change.type === 'FIELD_ARGUMENT_ADDED' && meta.typeName && meta.fieldName) {
    return { coordinates: [`${meta.typeName}.${meta.fieldName}`], trackable: true };
  }
  const segments = change.path?.split('.') ?? [];
  const type = segments[0] ? before.getType(segments[0]) : undefined;
  if (!type || !(isObjectType(type) || isInterfaceType(type))) return { coordinates: [], trackable: false };
  if (segments.length === 1) {
    // Type removed or changed kind: every field of the old type is affected.
    if (change.type === 'TYPE_REMOVED' || change.type === 'TYPE_KIND_CHANGED') {
      return { coordinates: Object.keys(type.getFields()).map((f) => `${type.name}.${f}`), trackable: true };
    }
    return { coordinates: [], trackable: false };
  }
  if (!type.getFields()[segments[1]]) return { coordinates: [], trackable: false };
  // Type.field, or Type.field.arg for argument changes (usage records both).
  return { coordinates: [segments.slice(0, 3).join('.')], trackable: true };
}
