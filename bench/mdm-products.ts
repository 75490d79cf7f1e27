/**
 * Product matching without shared identifiers on a labelled two-catalogue
 * file (e.g. the Amazon-GoogleProducts benchmark; columns
 * source,id,name,description,manufacturer,price,truth), matched by the
 * product configuration exactly as `concord mdm evaluate --csv` does.
 * Training is unsupervised (EM, then the one-to-one refit: see
 * mdm/score); the truth column is read only to score. Prints, for the whole
 * file and for two disjoint halves (records split by a hash of their truth
 * label, each half matched on its own), the cross-source (linkage) figures
 * and the figures over all pairs (in-source merges included), and the
 * machine's load averages.
 *
 *   npx tsx bench/mdm-products.ts --file ../shared/data/products/amazon-google.csv
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { productConfig } from '../mdm/entities/index.js';
import { evaluateMatching, formatAccuracyLine, readLabelledCsv, type LabelledRecords } from '../mdm/evaluate/index.js';

const { values } = parseArgs({ options: { file: { type: 'string' } } });
if (!values.file) {
  process.stderr.write('usage: npx tsx bench/mdm-products.ts --file PATH.csv (columns source,id,name,description,manufacturer,price,truth)\n');
  process.exit(2);
}
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const input = await readLabelledCsv(values.file, productConfig, { truth: 'truth', source: 'source' });

/** A stable hash of the truth label: which half a real product (all its records) falls in. */
const half = (label: string): number => { let h = 2166136261; for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 16777619); return (h >>> 0) % 2; };
const subset = (keep: 0 | 1): LabelledRecords => {
  const records = input.records.filter((r) => half(input.truth.get(`${r.system}:${r.sourceId}`)!) === keep);
  return { records, truth: new Map(records.map((r) => [`${r.system}:${r.sourceId}`, input.truth.get(`${r.system}:${r.sourceId}`)!])) };
};

process.stdout.write(`products: ${values.file}; load averages at start: ${load()} (${os.cpus().length} cores)\n`);
for (const [label, data] of [['whole file', input], ['half A', subset(0)], ['half B', subset(1)]] as const) {
  const started = performance.now();
  const { accuracy, overall, within, result } = evaluateMatching(data, productConfig, { linkage: true });
  process.stdout.write([
    `${label}: records=${result.records.length} candidate_pairs=${result.candidatePairs} merged=${result.autoMerged} queued=${result.queued} time_s=${((performance.now() - started) / 1000).toFixed(1)} load=${load()}`,
    `  linkage (cross-source) ${formatAccuracyLine(accuracy)} (true_positives=${accuracy.truePositives} predicted_pairs=${accuracy.predictedPairs} true_pairs=${accuracy.truePairs})`,
    `  all pairs              ${formatAccuracyLine(overall)} (true_positives=${overall.truePositives} predicted_pairs=${overall.predictedPairs} true_pairs=${overall.truePairs})`,
    `  within one source      ${formatAccuracyLine(within)} (predicted_pairs=${within.predictedPairs})`,
    '',
  ].join('\n'));
}
