import { randomInt } from 'node:crypto';

/**
 * A small seeded PRNG (mulberry32) for randomized e2e tests: the same seed gives the same run, so a
 * failure can be replayed by passing the printed seed back in through the environment.
 */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(0, items.length - 1)] as T;
  }

  /** An integer in [min, max], log-uniformly distributed (small values as likely as large orders of magnitude). */
  logInt(min: number, max: number): number {
    const lo = Math.log(Math.max(1, min));
    const hi = Math.log(Math.max(1, max));
    return Math.min(max, Math.max(min, Math.round(Math.exp(lo + this.next() * (hi - lo)))));
  }
}

/** The seed from `name` in the environment (decimal or 0x-hex), or a fresh random one. */
export function seedFrom(name: string): number {
  const raw = process.env[name]?.trim();
  if (raw) {
    const parsed = Number(raw);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 0xffffffff) {
      throw new Error(`${name} must be an integer between 0 and 4294967295 (got "${raw}")`);
    }
    return parsed;
  }
  return randomInt(0, 0xffffffff);
}
