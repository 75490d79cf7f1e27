export { applyClusters, newMasterId, type ApplySummary, type ApplyOptions } from './applyClusters.js';
export { appendHistory, listHistory, type HistoryEvent, type NewHistoryEvent } from './history.js';
export { matchOne, matchOneIn, type MatchOneResult, type MatchOneChange } from './matchOne.js';
export { removeSourceRecordIn, type RemoveOneChange } from './removeOne.js';
export { goldenChangesBetween, type GoldenChange } from './goldenChanges.js';
export { takeSnapshot, type StateSnapshot } from './snapshot.js';
export { getGoldenRecords, getMasterIdsBySource, searchGoldenRecords, type GoldenRecord, type SearchOptions, type SearchPage } from './read.js';
export { runBatchMatch, queueCandidates, type BatchMatchOptions, type BatchSummary } from './runBatch.js';
export { readSourceRecords, upsertSourceRecords } from './sourceRecords.js';
export { readTermFrequencies, writeTermFrequencies, adjustTermFrequencies, type TermFrequencyTable } from './termFrequencies.js';
export { readStewardRulings, type StewardRulings } from './stewardDecisions.js';
export {
  acceptCandidate, listReviewQueue, mergeGoldenRecords, rejectCandidate, undoHistoryEvent, unmergeSourceRecord,
  type ReviewCandidate, type StewardContext, type StewardResult,
} from './stewardship.js';
export { applySourceChange, applySourceChanges, type SourceChange, type AppliedSourceChange } from './applySourceChange.js';
export { listQuarantinedRecords, type QuarantinedRecord } from './quarantine.js';
