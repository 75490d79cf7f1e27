/**
 * The seeded pseudo-random source behind every choice the seed generator
 * makes. sfc32 (Chris Doty-Humphrey's Small Fast Counter) is fast, passes
 * PractRand, and keeps 128 bits of state, so streams derived from a seed and
 * a key don't overlap in practice. Math.random is never used: the same seed
 * must give the same data on every machine.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream for `seed`; `keys` derive independent streams (e.g. one per company). */
  constructor(seed: number, ...keys: number[]) {
    let h = mix32(seed >>> 0);
    for (const key of keys) h = mix32(h ^ mix32(key >>> 0) ^ 0x9e3779b9);
    const next = splitmix32(h);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // Warm-up: the first outputs of a fresh sfc32 state are weakly mixed.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    let { a, b, c, d } = this;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.uint32() / 4294967296;
  }

  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick: expected a non-empty list');
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks a value with probability proportional to its weight. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let roll = this.next() * total;
    for (const [value, weight] of entries) {
      roll -= weight;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** `length` decimal digits, leading zeros allowed. */
  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String(this.int(0, 9));
    return out;
  }
}

function mix32(x: number): number {
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let t = state ^ (state >>> 16);
    t = Math.imul(t, 0x21f0aafd);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a2d97);
    return (t ^ (t >>> 15)) >>> 0;
  };
}
