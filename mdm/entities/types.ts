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
  /**
   * Score step: where u and λ are measured. 'random' (the default, Splink's
   * practice): random record pairs, right when most candidate pairs are
   * matches or clear non-matches (people, companies). 'candidates': the
   * blocked pairs themselves, for catalogues where blocking by shared words
   * brings every look-alike together and random pairs share no word at all,
   * so any shared word would look like a match.
   */
  model?: { scale?: 'random' | 'candidates' };
  /** Cluster step: the guard against chaining (see mdm/cluster). */
  cluster?: {
    /** Refuse to join two clusters when fewer than this share of their scored cross pairs reach the review threshold. @default 0.5 */
    minCrossSupport?: number;
    /** Refuse joins when any scored cross pair is below this match weight (clear evidence of two entities). @default -10 */
    vetoWeight?: number;
    /** Largest cluster allowed. @default 50 */
    maxSize?: number;
    /** Linkage between de-duplicated catalogues: best mutual matches instead of transitive clusters (see mdm/match/oneToOne.ts). */
    oneToOne?: OneToOneLinkage;
  };
  /** A deterministic rule set (equal standardised values on every listed attribute), used when no model is wanted. */
  deterministic: string[][];
  /** Survive step: how each golden attribute picks its value. */
  survivorship: SurvivorshipConfig;
}

/** How a blocking key part is made from a standardised value; 'tokens' makes one key per word (see blockingKeys). */
export type BlockingTransform = 'exact' | `prefix:${number}` | 'metaphone' | 'firstToken' | 'lastToken' | 'sortedTokens' | 'initial' | 'tokens';

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
  /** TF-IDF cosine of the two values' words, rare words weighing more (document frequencies counted over the records matched). */
  | { kind: 'wordCosine'; min: number }
  /** Larger over smaller of two positive numbers (prices: 1.1 is within 10 %); zero or negative numbers reach no ratio level. */
  | { kind: 'ratio'; max: number }
  /** Company names whose words all correspond (equal, typo, abbreviation): no word left over on either side (see sameNameWords). */
  | { kind: 'sameNameWords' }
  /**
   * Negative evidence for names common in the data: reached unless both
   * names are generic — the records expected to hold all of a name's words,
   * by the engine's word counts (records × the product of its words' shares,
   * i.e. its summed IDF), are at least `commonRecords` — and the two records'
   * `place` values (a city) are both present and differ (not equal, not
   * within Jaro-Winkler 0.9). With a conflictWeight, not reaching it is the
   * conflict: "Global Trading" in Hamburg and in Munich are two companies,
   * "Vectorfield Industries" in both is one that moved or has a branch.
   * See mdm/compare/genericNames.ts.
   */
  | { kind: 'distinctiveOrSamePlace'; place: string; commonRecords: number }
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
  /** Keep level weights non-increasing from the strongest level to "else" while training (see monotoneM in mdm/score). */
  monotone?: boolean;
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
  /**
   * A strong identifier (SKU, GTIN, tax id): two records holding the same
   * value, valid where the attribute has a validator, are one entity as far
   * as the cluster step goes. Their accepted link is joined before the other
   * links and is never refused by the guard against chaining or split off by
   * the cohesion check (a steward's never-merge still refuses it); see
   * mdm/cluster.
   */
  identifier?: boolean;
  /**
   * Negative evidence only: every level short of "conflict" weighs this
   * (fixed, usually 0). A legal form shared by thousands of GmbHs says
   * nothing for a match, while two different legal forms ("Müller AG",
   * "Müller GmbH") are two companies; EM would make agreement a reason to merge.
   */
  agreeWeight?: number;
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

/**
 * One-to-one reasoning for linkage between de-duplicated catalogues (ERP
 * products against CRM products, one shop against another). Transitive
 * clusters let a record pull in every look-alike above the merge threshold
 * ("Photoshop CS3" and "Photoshop CS3 Extended" both join "photoshop cs3");
 * between two catalogues that each hold a product once, a record's partner
 * is its best counterpart, so a merge across sources stands only when the
 * pair is (within `nearBestBits` of) the best cross-source pair of both its
 * records — a mutual best match, tolerant of near ties (one catalogue may
 * list a product twice). Inside one source the catalogue is taken as
 * de-duplicated: a merge needs `strongWithinWeight`. Demoted pairs go to
 * the stewards' review queue instead of merging.
 */
export interface OneToOneLinkage {
  /** How far below a record's best cross-source weight (log2 odds) a link may be and still count as its best. @default 1 */
  nearBestBits?: number;
  /** Weight a merge inside one source needs (strong evidence: a shared identifier, near-identical text). @default 20 */
  strongWithinWeight?: number;
  /**
   * A mutual best pair merges when its evidence favours a match by at least
   * this many bits (weight minus the prior; 0: the comparisons say "match"
   * more than "non-match"), even below the merge threshold: being each
   * other's best counterpart is itself the evidence that the prior, taken
   * over all candidate pairs, leaves out. @default 0
   */
  minEvidenceBits?: number;
}
