/**
 * Cohesion check of the cluster step. The guard against chaining judges a
 * join by the pairs scored between the two clusters, and those are only the
 * pairs a blocking rule brought together: records that share no blocking key
 * (A and C, linked through B) were never compared, so a chain whose ends
 * disagree passed unseen. After the links are joined, the pairs of members
 * of each cluster of three or more records that were never scored are scored
 * (the caller's scorer: the batch's model, term frequencies and conflict
 * weights), and a cluster in which one of them is clear evidence of two
 * entities is clustered again from its own links with every verdict known:
 * strongest link first, each join refused when the pairs across it do not
 * support it, so the cluster splits at the link that joined the disagreeing
 * ends. Steward rulings and shared identifiers keep deciding there as in the
 * first pass.
 *
 * Only clear verdicts count: a newly scored pair at or above the support
 * weight supports a join, one below the veto weight refuses it, and one in
 * between is left out. Records no blocking rule brought together mostly have
 * little to compare (one holds the street, the other the domain), so their
 * weight is the prior plus little evidence: below the review threshold with
 * no disagreement (2 of the 7 such pairs in the clusters of 20,000 seed
 * companies, both true pairs, at −2 and −3 bits). Counted as "not
 * supporting" they would cut true clusters apart.
 *
 * Pairs inside one forced group (a steward's always-merge, an existing
 * master in incremental matching) are not scored: the guard never judges
 * forced joins.
 */

/** The scored pairs as a compressed adjacency: record i's partners are neighbours[offsets[i] .. offsets[i+1]). */
export interface ScoredAdjacency {
  offsets: Uint32Array;
  neighbours: Uint32Array;
  weights: Float64Array;
}

/** Pairs of records (indexes), as typed arrays. */
export interface IndexPairs {
  left: Uint32Array;
  right: Uint32Array;
}

/**
 * The pairs of members of each group of three or more that the adjacency
 * does not hold, except pairs in one forced group (`forcedGroup[i]`: a
 * representative of i's forced group, or undefined when there are none).
 * Each pair's left is its lower index.
 */
export function findUnscoredPairs(groups: readonly number[][], adjacency: ScoredAdjacency, recordCount: number, forcedGroup?: Int32Array): IndexPairs {
  const left: number[] = []; const right: number[] = [];
  // seen[j] === stamp when the current member i has a scored pair with j: one pass over i's partners, no set.
  const seen = new Int32Array(recordCount);
  let stamp = 0;
  for (const members of groups) {
    if (members.length < 3) continue;
    for (let a = 0; a < members.length; a++) {
      const i = members[a];
      stamp++;
      for (let q = adjacency.offsets[i]; q < adjacency.offsets[i + 1]; q++) seen[adjacency.neighbours[q]] = stamp;
      for (let b = a + 1; b < members.length; b++) {
        const j = members[b];
        if (seen[j] === stamp) continue;
        if (forcedGroup && forcedGroup[i] === forcedGroup[j]) continue;
        left.push(Math.min(i, j)); right.push(Math.max(i, j));
      }
    }
  }
  return { left: Uint32Array.from(left), right: Uint32Array.from(right) };
}

/** Which newly scored pairs are clear verdicts (see above): supports at or above `supportWeight`, vetoes below `vetoWeight`. */
export function clearVerdicts(weights: Float64Array, supportWeight: number, vetoWeight: number): { keep: Uint8Array; vetoes: number } {
  const keep = new Uint8Array(weights.length);
  let vetoes = 0;
  for (let p = 0; p < weights.length; p++) {
    if (weights[p] < vetoWeight) { keep[p] = 1; vetoes++; } else if (weights[p] >= supportWeight) keep[p] = 1;
  }
  return { keep, vetoes };
}
