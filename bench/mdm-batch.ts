/**
 * Batch match benchmark: N synthetic person records (bench/mdm-synthetic.ts)
 * through the whole in-memory pipeline (standardise → block → compare →
 * train → score → cluster) with the FEBRL person configuration, printing
 * time per step, peak RSS, candidate pairs, clusters and, since the
 * generator knows the truth, pairwise accuracy.
 *
 *   node --max-old-space-size=12000 --import tsx bench/mdm-batch.ts --records 100000 [--records 1000000]
 */
import { parseArgs } from 'node:util';
import { personConfig } from '../mdm/entities/index.js';
import { formatAccuracyLine, pairwiseAccuracy } from '../mdm/evaluate/index.js';
import { matchRecords } from '../mdm/match/index.js';
import { syntheticPersons } from './mdm-synthetic.js';

const { values } = parseArgs({ options: { records: { type: 'string', multiple: true, default: ['100000'] }, seed: { type: 'string', default: '7' } } });

let peakRss = 0;
const sample = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 100);
sample.unref();

for (const n of values.records.map(Number)) {
  global.gc?.();
  peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const { records, truth } = syntheticPersons(n, Number(values.seed));
  const generateMs = Math.round(performance.now() - t0);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  const result = matchRecords(records, personConfig, {
    onProgress: (step, done, total) => { if (done === 0) process.stderr.write(`  ${n}: ${step} (${total})…\n`); },
  });
  const matchMs = Math.round(performance.now() - t1);
  const cpu = process.cpuUsage(cpu0);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const accuracy = pairwiseAccuracy(result.clusters, (k) => String(truth.get(k)));
  const multi = result.clusters.filter((c) => c.members.length > 1).length;
  process.stdout.write([
    `records=${n} generate_ms=${generateMs} match_ms=${matchMs} cpu_ms=${Math.round((cpu.user + cpu.system) / 1000)} peak_rss_mb=${Math.round(peakRss / 1e6)}`,
    `  steps_ms ${Object.entries(result.timingsMs).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    `  candidate_pairs=${result.candidatePairs} auto_merged=${result.autoMerged} queued=${result.queued} clusters=${result.clusters.length} multi_record_clusters=${multi}`,
    `  ${formatAccuracyLine(accuracy)}`,
    '',
  ].join('\n'));
}
