/**
 * A small seeded PRNG (sfc32, seeded through splitmix32) so a generated stream is reproducible
 * from its seed on every platform; Math.random cannot be seeded.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }
}

/**
 * Zipf-distributed ranks over a list that can grow: rank r (0-based) has weight 1/(r+1)^s.
 * The cumulative table is rebuilt lazily after growth, which is rare (new movies arrive rarely).
 */
export class ZipfSampler {
  private cumulative: Float64Array = new Float64Array(0);
  private size = 0;

  constructor(
    private readonly exponent: number,
    size: number,
  ) {
    this.resize(size);
  }

  resize(size: number): void {
    if (size === this.size) return;
    const cumulative = new Float64Array(size);
    let total = 0;
    for (let r = 0; r < size; r++) {
      total += 1 / (r + 1) ** this.exponent;
      cumulative[r] = total;
    }
    this.cumulative = cumulative;
    this.size = size;
  }

  sample(random: SeededRandom): number {
    const target = random.next() * this.cumulative[this.size - 1]!;
    let lo = 0;
    let hi = this.size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cumulative[mid]! < target) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
