/**
 * Synthetic person records for the MDM benchmarks, FEBRL-shaped (given name,
 * surname, street number, address, suburb, postcode, state, date of birth,
 * social security id) and generated in-process, deterministically from a
 * seed: originals plus duplicates carrying the corruptions FEBRL applies
 * (typos, missing values, swapped name fields, digits off by one). Names and
 * places are drawn from large pools with a Zipf-like skew, so blocks have
 * realistic sizes (a few very common surnames, a long tail).
 */
import type { SourceRecord } from '../mdm/types.js';

export interface SyntheticPersons {
  records: SourceRecord[];
  /** source key → entity number */
  truth: Map<string, number>;
}

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ONSETS = ['b', 'br', 'c', 'ch', 'd', 'dr', 'f', 'g', 'gr', 'h', 'j', 'k', 'kl', 'l', 'm', 'n', 'p', 'pr', 'r', 's', 'sch', 'st', 't', 'tr', 'v', 'w', 'z'];
const NUCLEI = ['a', 'e', 'i', 'o', 'u', 'ai', 'ei', 'ou', 'ie', 'y'];
const CODAS = ['', '', 'n', 'r', 's', 'l', 'm', 'rt', 'nd', 'ck', 'tt', 'ns', 'rg'];
const STREET_TYPES = ['street', 'road', 'avenue', 'place', 'crescent', 'drive', 'close', 'lane', 'circuit', 'parade'];
const STATES = ['nsw', 'vic', 'qld', 'wa', 'sa', 'tas', 'act', 'nt'];

function syllableWord(random: () => number, syllables: number): string {
  let w = '';
  for (let s = 0; s < syllables; s++) {
    w += ONSETS[Math.floor(random() * ONSETS.length)] + NUCLEI[Math.floor(random() * NUCLEI.length)];
    if (s === syllables - 1 || random() < 0.3) w += CODAS[Math.floor(random() * CODAS.length)];
  }
  return w;
}

/** A pool of distinct words and a Zipf-like sampler over it (rank r drawn ∝ 1/(r+10)). */
function pool(random: () => number, size: number, syllables: [number, number]): () => string {
  const words = new Set<string>();
  while (words.size < size) words.add(syllableWord(random, syllables[0] + Math.floor(random() * (syllables[1] - syllables[0] + 1))));
  const list = [...words];
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let r = 0; r < size; r++) { total += 1 / (r + 10); cumulative[r] = total; }
  return () => {
    const x = random() * total;
    let lo = 0; let hi = size - 1;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cumulative[mid] < x) lo = mid + 1; else hi = mid; }
    return list[lo];
  };
}

function typo(word: string, random: () => number): string {
  if (word.length < 3) return word;
  const i = 1 + Math.floor(random() * (word.length - 2));
  switch (Math.floor(random() * 4)) {
    case 0: return word.slice(0, i) + word.slice(i + 1); // drop
    case 1: return word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2); // swap
    case 2: return word.slice(0, i) + word[i] + word.slice(i); // double
    default: return word.slice(0, i) + 'aeiourstnl'[Math.floor(random() * 10)] + word.slice(i + 1); // substitute
  }
}

/**
 * `count` records: about 80 % originals, 20 % duplicates of them (one to three
 * per duplicated original), each duplicate with one to three corruptions.
 */
export function syntheticPersons(count: number, seed = 7): SyntheticPersons {
  const random = mulberry32(seed);
  // Pools scale with the population, as real name and place counts do.
  const scale = Math.max(1, count / 100_000);
  const given = pool(random, Math.round(4_000 * Math.sqrt(scale)), [1, 3]);
  const surname = pool(random, Math.round(30_000 * Math.sqrt(scale)), [2, 3]);
  const streetName = pool(random, Math.round(8_000 * Math.sqrt(scale)), [2, 3]);
  const suburbs = Array.from({ length: Math.round(3_000 * Math.sqrt(scale)) }, (_, i) => ({
    name: syllableWord(random, 2 + (i % 2)) + (random() < 0.2 ? ` ${syllableWord(random, 2)}` : ''),
    postcode: String(1000 + Math.floor(random() * 8999)),
    state: STATES[Math.floor(random() * STATES.length)],
  }));

  const records: SourceRecord[] = [];
  const truth = new Map<string, number>();
  const originals = Math.round(count * 0.8);
  const ssids = new Set<number>();
  const base: Record<string, string | null>[] = [];
  for (let e = 0; e < originals; e++) {
    const suburb = suburbs[Math.floor(Math.pow(random(), 1.6) * suburbs.length)];
    let ssid: number;
    do ssid = 1_000_000 + Math.floor(random() * 8_999_999); while (ssids.has(ssid));
    ssids.add(ssid);
    const year = 1930 + Math.floor(random() * 80);
    const dob = `${year}${String(1 + Math.floor(random() * 12)).padStart(2, '0')}${String(1 + Math.floor(random() * 28)).padStart(2, '0')}`;
    const attributes = {
      given_name: given(), surname: surname(), street_number: String(1 + Math.floor(random() * 300)),
      address_1: `${streetName()} ${STREET_TYPES[Math.floor(random() * STREET_TYPES.length)]}`,
      address_2: random() < 0.15 ? `unit ${1 + Math.floor(random() * 40)}` : null,
      suburb: suburb.name, postcode: suburb.postcode, state: suburb.state, date_of_birth: dob, soc_sec_id: String(ssid),
    };
    base.push(attributes);
    const id = `rec-${e}-org`;
    records.push({ entityType: 'person', system: 'synthetic', sourceId: id, attributes });
    truth.set(`synthetic:${id}`, e);
  }
  let dupIndex = 0;
  while (records.length < count) {
    const e = Math.floor(random() * originals);
    const copy = { ...base[e] };
    const corruptions = 1 + Math.floor(random() * 3);
    for (let c = 0; c < corruptions; c++) {
      const fields = ['given_name', 'surname', 'address_1', 'suburb', 'date_of_birth', 'soc_sec_id', 'street_number', 'postcode'];
      const field = fields[Math.floor(random() * fields.length)];
      const value = copy[field];
      if (value === null) continue;
      const kind = random();
      if (kind < 0.15) copy[field] = null;
      else if (kind < 0.25 && (field === 'given_name' || field === 'surname')) { const g = copy.given_name; copy.given_name = copy.surname; copy.surname = g; }
      else copy[field] = typo(value, random);
    }
    const id = `rec-${e}-dup-${dupIndex++}`;
    records.push({ entityType: 'person', system: 'synthetic', sourceId: id, attributes: copy });
    truth.set(`synthetic:${id}`, e);
  }
  return { records, truth };
}
