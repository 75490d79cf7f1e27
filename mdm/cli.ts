import { Command, Option } from 'commander';
import cliProgress from 'cli-progress';
import { readString } from '../platform/config.js';
import { createPool } from '../platform/db/index.js';
import { entityConfig } from './entities/index.js';
import {
  evaluateMatching, evaluateSeedTruth, formatAccuracyLine, pairScores, readFebrlFile, readLabelledCsv, SEED_TRUTH_ENTITY_TYPES,
  type Accuracy, type Evaluation, type LabelledRecords, type SeedTruthEntityType, type SeedTruthEvaluation,
} from './evaluate/index.js';
import { migrateMdm } from './load/initialLoad.js';
import type { MatchStep } from './match/index.js';
import { runBatchMatch, type BatchSummary } from './store/runBatch.js';

/**
 * `concord mdm …`: the operator's match command and the accuracy evaluation.
 * The database is MDM_DATABASE_URL, else DATABASE_URL, else the embedded
 * PGlite of a running `npm start` (127.0.0.1:PGLITE_PORT, default 5499).
 */
export function registerMdmCommands(program: Command): Command {
  const mdm = program.command('mdm').description('master data: batch match, evaluation against labelled data');

  mdm.command('match')
    .description('run a batch match over the stored source records and update golden records')
    .addOption(new Option('--entity <type>', 'entity type').choices(['customer', 'product', 'all']).default('all'))
    .addOption(new Option('--mode <mode>', 'matcher').choices(['auto', 'model', 'deterministic']).default('auto'))
    .option('--database-url <url>', 'PostgreSQL holding the mdm schema')
    .option('--actor <name>', 'who the history records', 'cli')
    .action(async (opts: { entity: string; mode: 'auto' | 'model' | 'deterministic'; databaseUrl?: string; actor: string }) => {
      const pool = createPool({ connectionString: opts.databaseUrl ?? mdmDatabaseUrl(process.env), max: 2, applicationName: 'concord-mdm-cli' });
      try {
        await migrateMdm(pool);
        for (const entityType of opts.entity === 'all' ? ['customer', 'product'] : [opts.entity]) {
          const bar = progressBar(entityType);
          const summary = await runBatchMatch(pool, entityType, { actor: opts.actor, mode: opts.mode, onProgress: bar.update });
          bar.stop();
          process.stdout.write(formatBatchSummary(summary));
        }
      } finally {
        await pool.end();
      }
    });

  mdm.command('evaluate')
    .description('match labelled data and print precision, recall and F1 over record pairs (truth is used only to score)')
    .option('--febrl <file>', 'a FEBRL-format file to de-duplicate (or file A of a linkage)')
    .option('--link <file>', 'with --febrl: link the records of --febrl to this file B')
    .option('--csv <file>', 'a labelled CSV whose header names the entity attributes')
    .addOption(new Option('--entity <type>', 'with --csv (required) or --seed-truth (default: both)').choices(['customer', 'product', 'person']))
    .option('--truth <column>', 'with --csv: the column naming the real-world entity')
    .option('--source <column>', 'with --csv: the column naming the source system; only cross-source pairs count')
    .option('--seed-truth', "score the database's current golden records (mdm.xref) against the seed generator's truth.entity")
    .option('--database-url <url>', 'with --seed-truth: the seeded and loaded database')
    .action(async (opts: { febrl?: string; link?: string; csv?: string; entity?: string; truth?: string; source?: string; seedTruth?: boolean; databaseUrl?: string }) => {
      let evaluation: Evaluation;
      if (opts.seedTruth) {
        const entityTypes: SeedTruthEntityType[] = opts.entity === undefined ? [...SEED_TRUTH_ENTITY_TYPES]
          : (SEED_TRUTH_ENTITY_TYPES as readonly string[]).includes(opts.entity) ? [opts.entity as SeedTruthEntityType]
            : program.error('mdm evaluate --seed-truth takes --entity customer|product', { code: 'MDM_INVALID_ARGUMENT' });
        const pool = createPool({ connectionString: opts.databaseUrl ?? mdmDatabaseUrl(process.env), max: 2, applicationName: 'concord-mdm-cli' });
        try {
          const results: SeedTruthEvaluation[] = [];
          for (const entityType of entityTypes) results.push(await evaluateSeedTruth(pool, entityType));
          process.stdout.write(formatSeedTruthEvaluation(results));
        } finally {
          await pool.end();
        }
        return;
      }
      if (opts.febrl) {
        const a = await readFebrlFile(opts.febrl, opts.link ? 'a' : 'febrl');
        let input: LabelledRecords = a;
        if (opts.link) {
          const b = await readFebrlFile(opts.link, 'b');
          input = { records: [...a.records, ...b.records], truth: new Map([...a.truth, ...b.truth]) };
        }
        evaluation = evaluateMatching(input, entityConfig('person'), { linkage: !!opts.link });
      } else if (opts.csv) {
        if (!opts.entity || !opts.truth) program.error('mdm evaluate --csv needs --entity customer|product and --truth COLUMN', { code: 'MDM_INVALID_ARGUMENT' });
        const config = entityConfig(opts.entity!);
        const input = await readLabelledCsv(opts.csv, config, { truth: opts.truth!, source: opts.source });
        evaluation = evaluateMatching(input, config, { linkage: !!opts.source });
      } else {
        program.error('mdm evaluate needs --febrl FILE [--link FILE_B] or --csv FILE --entity TYPE --truth COLUMN', { code: 'MDM_INVALID_ARGUMENT' });
      }
      process.stdout.write(formatEvaluation(evaluation!));
    });
  return mdm;
}

export function mdmDatabaseUrl(env: Record<string, string | undefined>): string {
  return readString(env, 'MDM_DATABASE_URL') ?? readString(env, 'DATABASE_URL')
    ?? `postgres://postgres@127.0.0.1:${readString(env, 'PGLITE_PORT', '5499')}/postgres?sslmode=disable`;
}

export function formatBatchSummary(s: BatchSummary): string {
  return [
    `${s.entityType}: ${s.mode} match in ${(s.durationMs / 1000).toFixed(1)} s`,
    `  records          ${s.records}`,
    `  candidate pairs  ${s.candidatePairs}`,
    `  auto-merged      ${s.autoMerged}`,
    `  queued           ${s.queued}`,
    `  clusters         ${s.clusters} (created ${s.created}, updated ${s.updated}, unchanged ${s.unchanged}, deactivated ${s.deactivated}, joins ${s.joins}, splits ${s.splits})`,
    '',
  ].join('\n');
}

/**
 * The evaluate report. For a linkage (two sources) it prints the figures over
 * every pair and within each source before the cross-source line, so merges
 * inside a source are counted where a linkage score would hide them; the last
 * line is always the task's headline figure (cross-source for a linkage).
 */
export function formatEvaluation({ accuracy: a, overall, within, result }: Evaluation): string {
  const counts = (x: Accuracy) => `(true_positives=${x.truePositives} predicted_pairs=${x.predictedPairs} true_pairs=${x.truePairs})`;
  const linkage = a !== overall;
  return [
    `records=${result.records.length} candidate_pairs=${result.candidatePairs} auto_merged=${result.autoMerged} queued=${result.queued} time_ms=${Object.values(result.timingsMs).reduce((x, y) => x + (y ?? 0), 0)}`,
    `clusters=${a.predictedClusters} true_clusters=${a.trueClusters} exact_clusters=${a.clusterExactness.toFixed(4)}`,
    ...(linkage ? [
      `all pairs:          ${formatAccuracyLine(overall)} ${counts(overall)}`,
      `within one source:  ${formatAccuracyLine(within)} ${counts(within)}`,
      `across sources (linkage, the line below):`,
    ] : []),
    `true_positives=${a.truePositives} predicted_pairs=${a.predictedPairs} true_pairs=${a.truePairs}`,
    formatAccuracyLine(a),
    '',
  ].join('\n');
}

/**
 * Per entity type: the overall, linkage (ERP↔CRM) and de-duplication
 * (within a system) figures; the last line is over every pair of every
 * entity type evaluated, so one entity type gives exactly its own figures.
 */
export function formatSeedTruthEvaluation(results: SeedTruthEvaluation[]): string {
  const line = (label: string, a: Accuracy) =>
    `  ${label.padEnd(8)} ${formatAccuracyLine(a)} (true_positives=${a.truePositives} predicted_pairs=${a.predictedPairs} true_pairs=${a.truePairs})`;
  const out: string[] = [];
  let tp = 0; let predicted = 0; let truePairs = 0;
  for (const r of results) {
    out.push(
      `${r.entityType}: records=${r.records} labelled=${r.labelled} golden_records=${r.masters} true_entities=${r.overall.trueClusters} exact_clusters=${r.overall.clusterExactness.toFixed(4)}`,
      line('all', r.overall), line('linkage', r.linkage), line('dedup', r.dedup),
    );
    tp += r.overall.truePositives; predicted += r.overall.predictedPairs; truePairs += r.overall.truePairs;
  }
  out.push(formatAccuracyLine({ ...pairScores(tp, predicted, truePairs), truePositives: tp, predictedPairs: predicted, truePairs, predictedClusters: 0, trueClusters: 0, clusterExactness: 0 }), '');
  return out.join('\n');
}

/** One bar per entity type on stderr, advanced as each pipeline step finishes. */
function progressBar(entityType: string): { update: (step: MatchStep | 'write', done: number, total: number) => void; stop: () => void } {
  const steps: (MatchStep | 'write')[] = ['standardise', 'block', 'compare', 'train', 'score', 'cluster', 'write'];
  const bar = new cliProgress.SingleBar({ format: `${entityType} [{bar}] {percentage}% | {step}`, stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  bar.start(steps.length, 0, { step: 'reading' });
  return {
    update: (step, done, total) => bar.update(steps.indexOf(step) + (done >= total ? 1 : 0), { step }),
    stop: () => bar.stop(),
  };
}
