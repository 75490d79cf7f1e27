/**
 * The distinct words of every value of one column, for the word-set levels
 * (tokenSet, tokenContainment) of the column compare. Built once per column:
 * counting common words is then a merge of two short runs of integers, where
 * tokenSetSimilarity splits both strings and builds two Sets for every pair
 * (at a million persons, 51 million address pairs, almost all of them below
 * the level, and the Sets' garbage). A value's words are exactly the ones
 * tokenSetSimilarity and tokenContainment take, `value.split(' ')` each once
 * (an empty word from a double space included), so the ratios are the same
 * numbers and so are the levels.
 */
export interface WordSets {
  /** Value v's word ids are words[offsets[v] .. offsets[v + 1]), ascending, each once. */
  offsets: Uint32Array;
  words: Uint32Array;
}

/** The word sets of interned values (values[v] is value id v). */
export function wordSetsOf(values: readonly string[]): WordSets {
  const ids = new Map<string, number>();
  const offsets = new Uint32Array(values.length + 1);
  let words = new Uint32Array(Math.max(16, values.length * 4));
  let end = 0;
  for (let v = 0; v < values.length; v++) {
    const start = end;
    for (const word of values[v].split(' ')) {
      let id = ids.get(word);
      if (id === undefined) { id = ids.size; ids.set(word, id); }
      if (end === words.length) { const grown = new Uint32Array(words.length * 2); grown.set(words); words = grown; }
      // Insertion into the value's sorted run, skipping a repeated word: values have a handful of words.
      let k = end;
      while (k > start && words[k - 1] > id) k--;
      if (k > start && words[k - 1] === id) continue;
      words.copyWithin(k + 1, k, end);
      words[k] = id;
      end++;
    }
    offsets[v + 1] = end;
  }
  return { offsets, words: words.slice(0, end) };
}

function commonWords(sets: WordSets, x: number, y: number): number {
  const { offsets, words } = sets;
  let i = offsets[x]; const iEnd = offsets[x + 1];
  let j = offsets[y]; const jEnd = offsets[y + 1];
  let common = 0;
  while (i < iEnd && j < jEnd) {
    const a = words[i]; const b = words[j];
    if (a === b) { common++; i++; j++; } else if (a < b) i++; else j++;
  }
  return common;
}

/** tokenSetSimilarity of values x and y: Jaccard similarity of their word sets. */
export function wordSetSimilarity(sets: WordSets, x: number, y: number): number {
  const common = commonWords(sets, x, y);
  const left = sets.offsets[x + 1] - sets.offsets[x];
  const right = sets.offsets[y + 1] - sets.offsets[y];
  return common / (left + right - common);
}

/** tokenContainment of values x and y: common words over the smaller set's size. */
export function wordSetContainment(sets: WordSets, x: number, y: number): number {
  const common = commonWords(sets, x, y);
  const left = sets.offsets[x + 1] - sets.offsets[x];
  const right = sets.offsets[y + 1] - sets.offsets[y];
  return common / Math.min(left, right);
}
