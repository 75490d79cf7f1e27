import { GraphQLError } from 'graphql';
import type { PathSegment } from '../operation/operationWalk.js';

type Json = Record<string, unknown>;

export const AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE';

/**
 * When a read's audit record could be stored nowhere, the audited values must
 * not leave: each audited field holding a value is set to null, with an
 * AUDIT_UNAVAILABLE error at its path, and every other field of the answer
 * stays. Type conditions are ignored on purpose (the answer's __typename
 * aliases are gone by now): a same-named field of a sibling type is nulled
 * too — failing closed is the point.
 */
export function refuseAuditedFields(data: Json | null | undefined, reads: ReadonlyArray<{ coordinate: string; path: readonly PathSegment[]; audited: boolean }>): GraphQLError[] {
  const errors: GraphQLError[] = [];
  if (!data) return errors;
  for (const read of reads) {
    if (!read.audited) continue;
    visit(data, read.path, 0, [], (object, key, at) => {
      if (object[key] === null || object[key] === undefined) return;
      object[key] = null;
      errors.push(new GraphQLError(`${read.coordinate} was not answered: its read could not be written to the audit log; retry shortly`, {
        path: at,
        extensions: { code: AUDIT_UNAVAILABLE, coordinate: read.coordinate },
      }));
    });
  }
  return errors;
}

function visit(
  value: unknown,
  path: readonly PathSegment[],
  index: number,
  at: (string | number)[],
  onField: (object: Json, key: string, at: (string | number)[]) => void,
): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => visit(item, path, index, [...at, i], onField));
    return;
  }
  const object = value as Json;
  const { key } = path[index];
  if (!(key in object)) return;
  if (index === path.length - 1) onField(object, key, [...at, key]);
  else visit(object[key], path, index + 1, [...at, key], onField);
}
