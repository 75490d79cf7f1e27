import { createRequire } from 'node:module';
import { foldText } from './text.js';

/**
 * Product text: names, brands and model numbers as two shops write them
 * ("Sony Cyber-shot DSC-W120 7.2MP" / "sony dscw120 cybershot camera").
 * Porter stemming comes from talisman (already the engine's string-metric
 * library), so "cameras" meets "camera" and "editing" meets "edit".
 */
const require = createRequire(import.meta.url);
const porterStem: (word: string) => string = require('talisman/stemmers/porter');

/** Words that say nothing about which product it is. */
const STOP_WORDS = new Set(['a', 'an', 'and', 'the', 'of', 'for', 'with', 'by', 'in', 'on', 'to', 'or', 'new', 'inc', 'corp', 'ltd', 'llc', 'co']);

/**
 * The words of a product text, folded: each chunk split at punctuation, and
 * a code written with separators ("DSC-W120", "KDL 40V4100" is two chunks,
 * "MB-0023", "v11.1") also kept joined ("dscw120", "mb0023", "v111") so the
 * same code meets however it was punctuated.
 */
export function productWords(value: string | null | undefined): string[] {
  if (value === null || value === undefined) return [];
  const text = String(value).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const words: string[] = [];
  for (const chunk of text.split(/[\s,;:()[\]{}"'!?&+*|<>=]+/)) {
    const parts = chunk.split(/[^a-z0-9]+/).filter((p) => p !== '');
    if (parts.length === 0) continue;
    const joined = parts.join('');
    if (parts.length > 1 && /\d/.test(joined)) words.push(joined);
    for (const part of parts) words.push(part);
  }
  return words;
}

/** A model number or version: a word holding a digit, at least two characters ("w120", "cs3", "2007"; not "7"). */
export function isModelCode(word: string): boolean {
  return /\d/.test(word);
}

/**
 * A product's comparable words: folded, stop words dropped, other words
 * stemmed (codes kept as they are), each once, in order. The name and the
 * brand (manufacturer) go in together: one shop names the brand in the
 * title, the other in its own field.
 */
export function standardiseProductText(value: string | null | undefined): string | null {
  const seen = new Set<string>();
  for (const word of productWords(value)) {
    if (STOP_WORDS.has(word)) continue;
    const stem = /\d/.test(word) ? word : porterStem(word);
    if (stem !== '') seen.add(stem);
  }
  return seen.size === 0 ? null : [...seen].join(' ');
}

/**
 * The model numbers and versions in a product text ("DSC-W120" → "dscw120",
 * "KDL-40V4100" → "kdl40v4100", "CS3", "2007"), sorted, each once; null when
 * there is none. Two products whose texts both carry codes and share none
 * are usually different models (EM learns how strongly).
 */
export function standardiseModelNumbers(value: string | null | undefined): string | null {
  const codes = new Set<string>();
  const words = productWords(value);
  for (let i = 0; i < words.length; i++) if (isModelCode(words[i])) codes.add(words[i]);
  return codes.size === 0 ? null : [...codes].sort().join(' ');
}

/**
 * A product text's character trigrams, each once, space-separated (so the
 * TF-IDF word cosine weighs them by rarity like words): taken over the folded
 * text with stop words and every space and punctuation mark removed, so
 * "print shop" meets "printshop", "clip art" "clipart" and "950 000"
 * "950000", which word-level comparison cannot see. Written here: three
 * lines, and the weighting must be the engine's own (see tokenWeights.ts).
 */
export function standardiseProductGrams(value: string | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  const folded = String(value).normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const text = folded.split(/[^a-z0-9]+/).filter((w) => w !== '' && !STOP_WORDS.has(w)).join('');
  if (text.length < 3) return null;
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= text.length; i++) grams.add(text.slice(i, i + 3));
  return [...grams].join(' ');
}

/** Brand names compare folded, without legal forms' punctuation ("Hewlett-Packard" = "hewlett packard"). */
export function standardiseBrand(value: string | null | undefined): string | null {
  return foldText(value);
}
