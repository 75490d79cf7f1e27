/**
 * The MDM match/merge engine's public surface, in pipeline order:
 * source → standardise → block → compare → score → cluster → survive → store.
 */
export * from './types.js';
export { MdmError, MDM_ERRORS, type MdmErrorCode } from './errors.js';
export { ENTITY_CONFIGS, entityConfig, customerConfig, productConfig, personConfig } from './entities/index.js';
export type { EntityConfig, BlockingRule, ComparisonConfig, ComparisonLevel, SurvivorshipConfig } from './entities/index.js';
export { standardiseRecord } from './standardise/index.js';
export { blockCandidatePairs } from './block/index.js';
export { compareCandidatePairs } from './compare/index.js';
export { estimateModel, scorePairs, scorePair, termFrequencies, termCounts, type FellegiSunterModel, type TermCounts } from './score/index.js';
export { clusterRecords, type Cluster, type ClusterEdge } from './cluster/index.js';
export { surviveGoldenValues, type GoldenValues, type Provenance } from './survive/index.js';
export { matchRecords, type MatchOptions, type MatchResult } from './match/index.js';
export { scoreIncomingRecord, clusterIncomingRecord, scoreCrossPairs, type IncomingScores, type IncomingClusterInput } from './match/incremental.js';
export * from './store/index.js';
export { validateSourceRecord, isKnownCountry, VALIDATION_RULES, type RuleViolation, type ValidationRule } from './validate/index.js';
export { runInitialLoad, migrateMdm, MDM_MIGRATIONS_DIR, type InitialLoadOptions, type LoadSummary } from './load/initialLoad.js';
export { hubSpotReader, crmTableReader, type CrmReader, type CrmObject } from './load/crmReader.js';
export { readErpCustomers, readErpProducts } from './load/erpReader.js';
export {
  evaluateMatching, readFebrlFile, readLabelledCsv, pairwiseAccuracy, pairScores, formatAccuracyLine, evaluateSeedTruth, SEED_TRUTH_ENTITY_TYPES,
  type Accuracy, type PairScope, type SeedTruthEntityType, type SeedTruthEvaluation,
} from './evaluate/index.js';
export { registerMdmCommands } from './cli.js';
