import type { AttributeStandardisation } from '../standardise/index.js';

/**
 * One entity type's engine configuration: plain data, so a new entity type is
 * a new object, not new code. Every step of the pipeline reads its part.
 */
export interface EntityConfig {
  entityType: string;
  /** Master ids are `${idPrefix}${hash}`, e.g. cus_1a2b3c4d5e. */
  idPrefix: string;
  /** Standardise step: attribute → standardiser (and validator). */
  attributes: Record<string, AttributeStandardisation>;
  /** Block step: several rules; their candidate pairs are united. */
  blocking: BlockingRule[];
  /** Compare step: one comparison per attribute, levels strongest first. */
  comparisons: ComparisonConfig[];
  /** Score step: decision thresholds on the match probability. */
  thresholds: {
    /** At or above: merge automatically. */
    merge: number;
    /** At or above (and below merge): queue for a steward. Below: distinct. */
    review: number;
  };
  /** Cluster step: the guard against chaining (see mdm/cluster). */
  cluster?: {
    /** Refuse to join two clusters when fewer than this share of their scored cross pairs reach the review threshold. @default 0.5 */
    minCrossSupport?: number;
    /** Refuse joins when any scored cross pair is below this match weight (clear evidence of two entities). @default -10 */
    vetoWeight?: number;
    /** Largest cluster allowed. @default 50 */
    maxSize?: number;
  };
  /** A deterministic rule set (equal standardised values on every listed attribute), used when no model is wanted. */
  deterministic: string[][];
  /** Survive step: how each golden attribute picks its value. */
  survivorship: SurvivorshipConfig;
}

export type BlockingTransform = 'exact' | `prefix:${number}` | 'metaphone' | 'firstToken' | 'lastToken' | 'sortedTokens' | 'initial';

export interface BlockingRule {
  name: string;
  keys: { attribute: string; transform?: BlockingTransform }[];
  /** Blocks larger than this are skipped: a value that common identifies nobody. @default 300 */
  maxBlockSize?: number;
}

export type ComparisonLevel =
  | { kind: 'exact' }
  | { kind: 'jaroWinkler'; min: number }
  | { kind: 'damerau'; max: number }
  | { kind: 'tokenSet'; min: number }
  /** Share of the shorter value's words found in the longer one: "Brandt Threaded Rod M5" contains "threaded rod m5". */
  | { kind: 'tokenContainment'; min: number }
  | { kind: 'phonetic' }
  | { kind: 'numeric'; maxRelative: number }
  | { kind: 'dateDays'; maxDays: number }
  | { kind: 'prefix'; length: number };

export interface ComparisonConfig {
  attribute: string;
  /** Strongest first; a pair reaching none of them falls to "else". A null on either side is "null" (weight 0). */
  levels: ComparisonLevel[];
  /** Adjust an exact match's weight by how common the value is (Splink's term-frequency adjustment). */
  termFrequency?: boolean;
  /** Another attribute compared crosswise (given name vs surname swapped). */
  swapWith?: string;
  /**
   * For identifiers (SKU, GTIN, tax id): two present values that are not
   * equal — and, when the attribute has a validator, both valid, so a typo
   * is not a conflict — are evidence of two different entities. Such a pair
   * reaches the extra level "conflict" with this fixed weight (log2 Bayes
   * factor, negative) in training and scoring. Unsupervised EM cannot learn
   * it where look-alikes abound (templated product names, one brand name in
   * many countries): it would take "similar" for "same".
   */
  conflictWeight?: number;
}

export type SurvivorshipRule = 'trust' | 'recent' | 'complete' | 'frequent';

export interface SurvivorshipConfig {
  /** Source systems, most trusted first. */
  sourceTrust: string[];
  attributes: Record<string, {
    rule: SurvivorshipRule;
    /** Prefer values that pass the attribute's validator (checksum, syntax) before applying the rule. */
    validatedFirst?: boolean;
    /** Take the standardised value instead of the raw one (E.164 phones, ISO countries). */
    standardised?: boolean;
  }>;
}
