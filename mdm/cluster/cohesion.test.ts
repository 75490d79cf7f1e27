import { describe, expect, it } from 'vitest';
import { customerConfig } from '../entities/index.js';
import { clusterIncomingRecord } from '../match/incremental.js';
import { standardiseRecord } from '../standardise/index.js';
import type { MatchDecision } from '../types.js';
import { clusterRecords, type ClusterEdge, type IndexPairs } from './index.js';

const keys = ['a:1', 'a:2', 'a:3'];
// A~B strongly, B~C enough to merge; A and C share no blocking key, so they were never scored.
const chain: ClusterEdge[] = [
  { left: 'a:1', right: 'a:2', weight: 20, probability: 1, rule: 'fs' },
  { left: 'a:2', right: 'a:3', weight: 8, probability: 0.99, rule: 'fs' },
];
const guard = { supportWeight: 0.6, minCrossSupport: 1, vetoWeight: -10 };

/** A scorer that records the pairs it was asked for (as keys) and answers from a table. */
function scorer(weights: Record<string, number>) {
  const asked: string[][] = [];
  const score = ({ left, right }: IndexPairs) => Float64Array.from(left, (i, p) => {
    asked.push([keys[i], keys[right[p]]]);
    return weights[`${keys[i]} ${keys[right[p]]}`];
  });
  return { asked, score };
}

describe('the cohesion check of the cluster step', () => {
  it('splits a chain A~B~C whose ends were never compared and disagree, at the link that joined them', () => {
    const { asked, score } = scorer({ 'a:1 a:3': -15 });
    const clusters = clusterRecords(keys, chain, { scored: chain, guard, scoreUnscored: score });
    expect(asked).toEqual([['a:1', 'a:3']]); // only the pair no blocking rule compared
    expect(clusters.map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3']]);
    // Without the check, the guard saw no pair across the B~C join and let it pass.
    expect(clusterRecords(keys, chain, { scored: chain, guard }).map((c) => c.members)).toEqual([keys]);
  });

  it('keeps a chain whose ends have little to compare but do not disagree (a weight below review, above the veto)', () => {
    const { score } = scorer({ 'a:1 a:3': -2 });
    expect(clusterRecords(keys, chain, { scored: chain, guard, scoreUnscored: score }).map((c) => c.members)).toEqual([keys]);
  });

  it('asks for nothing when every pair in a cluster was scored, or the cluster holds two records', () => {
    const { asked, score } = scorer({});
    const scored = [...chain, { left: 'a:1', right: 'a:3', weight: 3 }];
    expect(clusterRecords(keys, chain, { scored, guard, scoreUnscored: score }).map((c) => c.members)).toEqual([keys]);
    expect(clusterRecords(keys, chain.slice(0, 1), { scored: chain, guard, scoreUnscored: score }).map((c) => c.members)).toEqual([['a:1', 'a:2'], ['a:3']]);
    expect(asked).toEqual([]);
  });

  it('keeps a steward\'s always-merge: the record the forced pair disagrees with leaves instead', () => {
    const forced: ClusterEdge = { left: 'a:2', right: 'a:3', weight: Infinity, probability: 1, rule: 'steward', forced: true };
    const { asked, score } = scorer({ 'a:1 a:3': -15 });
    const clusters = clusterRecords(keys, [chain[0], forced], { scored: chain, guard, scoreUnscored: score });
    expect(clusters.map((c) => c.members)).toEqual([['a:1'], ['a:2', 'a:3']]);
    expect(asked).toEqual([['a:1', 'a:3']]);
  });

  it('lets a shared identifier decide: the pair sharing a tax id stays together, the disagreeing end leaves', () => {
    // B~C is the stronger link (same name, street), A~B shares a valid tax id; A and C disagree.
    const links: ClusterEdge[] = [
      { left: 'a:1', right: 'a:2', weight: 8, probability: 0.99, rule: 'fs', identifier: true },
      { left: 'a:2', right: 'a:3', weight: 20, probability: 1, rule: 'fs' },
    ];
    const run = (edges: ClusterEdge[]) => clusterRecords(keys, edges, { scored: links, guard, scoreUnscored: scorer({ 'a:1 a:3': -15 }).score }).map((c) => c.members);
    expect(run(links)).toEqual([['a:1', 'a:2'], ['a:3']]);
    // Without the identifier the stronger link goes first and the tax-id pair is the one split.
    expect(run(links.map(({ identifier: _identifier, ...e }) => e))).toEqual([['a:1'], ['a:2', 'a:3']]);
  });

  it('checks an arriving record against the members of the master it joins that were not its candidates (incremental matching)', () => {
    const company = (system: string, sourceId: string, name: string, city: string) =>
      standardiseRecord({ entityType: 'customer', system, sourceId, attributes: { name, city, country: 'DE' } }, customerConfig.attributes);
    const record = company('crm', '9', 'Nordwerk GmbH', 'Hamburg');
    const master = [company('erp', '1', 'Nordwerk GmbH', 'Hamburg'), company('erp', '2', 'Nordwerk Logistik GmbH', 'Bremen')];
    const link: MatchDecision = { left: record.key, right: 'erp:1', weight: 12, probability: 1, outcome: 'merge', contributions: [] };
    const asked: string[][] = [];
    const clusters = clusterIncomingRecord({
      record, scores: { scored: [link], decisions: [link] }, masters: new Map([['cus_1', master]]), guarded: true,
      pairWeight: (a, b) => { asked.push([a.key, b.key]); return -20; },
    }, customerConfig);
    expect(asked).toEqual([['crm:9', 'erp:2']]); // the master's own members are not compared again
    expect(clusters.map((c) => c.members)).toEqual([['crm:9'], ['erp:1', 'erp:2']]);
  });
});
