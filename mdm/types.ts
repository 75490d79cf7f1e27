/**
 * The records and decisions that flow through the MDM pipeline
 * (source → standardise → block → compare → score → cluster → golden record).
 * Everything here is plain serialisable data: it can be logged, stored in
 * jsonb, snapshot-tested and replayed.
 */

/** The entity types the engine is configured for (see mdm/entities/). */
export type EntityType = 'customer' | 'product' | 'person' | (string & {});

export type AttributeValue = string | number | null;

/** One record as a source system holds it, mapped to the entity's attribute names. */
export interface SourceRecord {
  entityType: EntityType;
  /** The source system, e.g. 'erp' or 'crm'. */
  system: string;
  sourceId: string;
  attributes: Record<string, AttributeValue>;
  /** When the source last changed it (survivorship "most recent"). */
  updatedAt?: string | null;
}

/** A source record after standardisation: the values the matcher compares. */
export interface StandardisedRecord extends SourceRecord {
  /** `${system}:${sourceId}`: unique within one entity type. */
  key: string;
  std: Record<string, string | null>;
  /** Attributes whose raw value passed its validator (checksum, syntax). */
  valid: Record<string, boolean>;
}

/** One attribute's share of a pair's match weight (log2 Bayes factor). */
export interface Contribution {
  attribute: string;
  /** The comparison level reached, e.g. 'exact', 'jw>=0.92', 'null', 'else'. */
  level: string;
  /** log2(m/u), including any term-frequency adjustment. */
  weight: number;
  left?: string | null;
  right?: string | null;
}

/** A scored candidate pair: the matcher's decision, explained. */
export interface MatchDecision {
  left: string;
  right: string;
  /** Total match weight: log2 prior odds + the contributions. */
  weight: number;
  /** Match probability derived from the weight. */
  probability: number;
  outcome: 'merge' | 'review' | 'distinct';
  contributions: Contribution[];
}

export function sourceKey(system: string, sourceId: string): string {
  return `${system}:${sourceId}`;
}

export function splitSourceKey(key: string): { system: string; sourceId: string } {
  const at = key.indexOf(':');
  return { system: key.slice(0, at), sourceId: key.slice(at + 1) };
}
