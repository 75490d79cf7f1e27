import { describe, expect, it } from 'vitest';
import type { LoadResult } from './gatewayLoad.js';
import type { BenchQuery } from './gatewayQueries.js';
import { median, ratioTable, resultsTable, type BenchRun, type Measurement } from './gatewayReport.js';

function window(contender: Measurement['contender'], requestsPerSec: number, p99Ms: number, round?: number): Measurement {
  const load: LoadResult = { requestsPerSec, p50Ms: p99Ms / 2, p90Ms: p99Ms, p99Ms, p999Ms: p99Ms, maxMs: p99Ms, requests: requestsPerSec * 10, durationSec: 10, non200: 0, socketErrors: 0, graphqlErrors: 0 };
  return { contender, query: 'deepList', load, rssPeakBytes: 100 * 2 ** 20, gatewayCpuMsPerOp: 1, subgraphRequestsPerOp: 1, subgraphCpuMsPerOp: 1, ...(round === undefined ? {} : { round }) };
}

function runOf(measurements: Measurement[]): BenchRun {
  const query = { name: 'deepList', description: 'a deep list', body: '{}' } as BenchQuery;
  return { startedAt: new Date(0), command: 'bench', settings: {}, machine: 'test', queries: [query], measurements, notes: [] };
}

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeUndefined();
  });
});

describe('ratioTable', () => {
  it('gives one row per pair when the run has one round', () => {
    const table = ratioTable(runOf([window('concord', 100, 50), window('hive', 25, 400)]));
    const rows = table.split('\n').filter((line) => line.startsWith('| deepList'));
    expect(rows).toEqual(['| deepList | concord / hive | 4.00× | 0.13× | 0.13× | 1.00× | 1.00× | 1.00× | 1.00× |']);
  });

  it('pairs each round with the same round of the peer and gives the median of the rounds', () => {
    const table = ratioTable(runOf([
      window('concord', 100, 50, 1), window('hive', 40, 400, 1),
      window('hive', 20, 500, 2), window('concord', 90, 50, 2),
      window('concord', 120, 60, 3), window('hive', 30, 300, 3),
    ]));
    const rows = table.split('\n').filter((line) => line.startsWith('| deepList')).map((line) => line.split(' | ').slice(1, 3));
    expect(rows).toEqual([
      ['concord / hive, round 1', '2.50×'],
      ['concord / hive, round 2', '4.50×'],
      ['concord / hive, round 3', '4.00×'],
      // Each column's median over the rounds, not the ratio of medians (req/s: 2.5, 4.5, 4 → 4; p99: 0.125, 0.1, 0.2 → 0.125).
      ['**concord / hive, median of 3 rounds**', '4.00×'],
    ]);
    expect(table).toContain('| **concord / hive, median of 3 rounds** | 4.00× | 0.13× | 0.13× |');
  });

  it('leaves a round out of the median when one side of it has no figures', () => {
    const failed: Measurement = { contender: 'hive', query: 'deepList', round: 2, error: 'did not start' };
    const table = ratioTable(runOf([window('concord', 100, 50, 1), window('hive', 50, 400, 1), window('concord', 100, 50, 2), failed]));
    const rows = table.split('\n').filter((line) => line.startsWith('| deepList'));
    expect(rows).toEqual(['| deepList | concord / hive, round 1 | 2.00× | 0.13× | 0.13× | 1.00× | 1.00× | 1.00× | 1.00× |']);
  });
});

describe('resultsTable', () => {
  it('names the round of each window when there are several', () => {
    const table = resultsTable(runOf([window('concord', 100, 50, 1), window('concord', 90, 55, 2)]));
    expect(table).toContain('| deepList | Concord (no auth), round 1 | 100 |');
    expect(table).toContain('| deepList | Concord (no auth), round 2 | 90 |');
  });
});
