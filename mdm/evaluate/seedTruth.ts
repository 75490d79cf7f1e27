import type pg from 'pg';
import type { Cluster } from '../cluster/index.js';
import { MdmError } from '../errors.js';
import { sourceKey } from '../types.js';
import { pairwiseAccuracy, type Accuracy } from './metrics.js';

/** The seed's ground truth is for these entity types only. */
export const SEED_TRUTH_ENTITY_TYPES = ['customer', 'product'] as const;
export type SeedTruthEntityType = (typeof SEED_TRUTH_ENTITY_TYPES)[number];

/** The stored clusters of one entity type scored against the seed's truth. */
export interface SeedTruthEvaluation {
  entityType: SeedTruthEntityType;
  /** Source records in the xref, and how many of them the truth labels. */
  records: number;
  labelled: number;
  /** Golden records (distinct master ids in the xref). */
  masters: number;
  /** Every pair of records. */
  overall: Accuracy;
  /** Pairs across systems: ERP linked to CRM. */
  linkage: Accuracy;
  /** Pairs within one system: duplicates inside the ERP or inside the CRM. */
  dedup: Accuracy;
}

/**
 * Scores the MDM's current clusters (mdm.xref: source record → master id)
 * against the seed generator's ground truth (truth.entity: source record →
 * real-world entity). Read only; nothing here feeds the matcher. A record the
 * truth does not know counts as an entity of its own.
 */
export async function evaluateSeedTruth(pool: pg.Pool, entityType: SeedTruthEntityType): Promise<SeedTruthEvaluation> {
  let xref: { system: string; source_id: string; master_id: string }[];
  let truthRows: { system: string; source_id: string; truth_id: string }[];
  try {
    xref = (await pool.query(
      'SELECT system, source_id, master_id FROM mdm.xref WHERE entity_type = $1 ORDER BY master_id, system, source_id', [entityType],
    )).rows;
    truthRows = (await pool.query(
      'SELECT system, source_id, truth_id FROM truth.entity WHERE entity_type = $1', [entityType],
    )).rows;
  } catch (error) {
    throw new MdmError('MDM_INPUT_INVALID', `cannot read mdm.xref and truth.entity (is the database seeded and loaded?): ${(error as Error).message}`);
  }
  const truth = new Map(truthRows.map((r) => [sourceKey(r.system, r.source_id), r.truth_id]));
  const byMaster = new Map<string, string[]>();
  for (const r of xref) {
    const members = byMaster.get(r.master_id);
    if (members) members.push(sourceKey(r.system, r.source_id)); else byMaster.set(r.master_id, [sourceKey(r.system, r.source_id)]);
  }
  const clusters: Cluster[] = [...byMaster.values()].map((members) => ({ members, links: {} }));
  const truthOf = (key: string) => truth.get(key) ?? `unlabelled:${key}`;
  return {
    entityType,
    records: xref.length,
    labelled: xref.filter((r) => truth.has(sourceKey(r.system, r.source_id))).length,
    masters: byMaster.size,
    overall: pairwiseAccuracy(clusters, truthOf, { scope: 'all' }),
    linkage: pairwiseAccuracy(clusters, truthOf, { scope: 'across' }),
    dedup: pairwiseAccuracy(clusters, truthOf, { scope: 'within' }),
  };
}
