/**
 * The set of search configurations already explored: (ops linearized so far, model state).
 * Lowe's memoisation: reaching a configuration a second time cannot lead anywhere new.
 *
 * The set of linearized ops is a bitset with an incremental Zobrist hash (two 32-bit halves,
 * XOR of a random word per op), so hashing costs O(1) per step. Entries live in typed arrays:
 * an open-addressing table of (hash, hash, state id, offset, window) and a pool of stored
 * words, compared word by word on a hash match so the verdict never rests on a hash collision.
 *
 * Only a window of each bitset is stored: ops are numbered in invoke order, so every set the
 * search meets is all ones below the oldest op still open and all zeros above the newest op
 * placed. The words in between (about the concurrency, not the history length) identify it.
 */

export const MEMO_OUT_OF_MEMORY = -1;

export class ConfigMemo {
  private cap = 1 << 12;
  private mask = this.cap - 1;
  private count = 0;
  private h1 = new Int32Array(this.cap);
  private h2 = new Int32Array(this.cap);
  private st = new Int32Array(this.cap).fill(-1);
  private off = new Int32Array(this.cap);
  private lo = new Int32Array(this.cap);
  private len = new Int32Array(this.cap);
  private pool: Uint32Array;
  private poolUsed = 0;

  constructor(private readonly limitBytes: number) {
    this.pool = new Uint32Array(1 << 16);
  }

  get size(): number {
    return this.count;
  }

  bytes(): number {
    return this.pool.byteLength + this.cap * 24;
  }

  /**
   * Adds (hash a, hash b, state, bits) where `bits` is all ones below word `lo` and all zeros
   * from word `lo + w`. 1: new (stored), 0: seen before, MEMO_OUT_OF_MEMORY: past the ceiling.
   */
  add(a: number, b: number, state: number, bits: Uint32Array, lo: number, w: number): number {
    let i = (a ^ Math.imul(state, 0x9e3779b1)) & this.mask;
    for (;;) {
      const s = this.st[i];
      if (s === -1) break;
      if (s === state && this.h1[i] === a && this.h2[i] === b && this.lo[i] === lo && this.len[i] === w) {
        const o = this.off[i];
        let same = true;
        for (let k = 0; k < w; k++) {
          if (this.pool[o + k] !== bits[lo + k]) {
            same = false;
            break;
          }
        }
        if (same) return 0;
      }
      i = (i + 1) & this.mask;
    }
    if (this.poolUsed + w > this.pool.length) {
      if (!this.growPool(this.poolUsed + w)) return MEMO_OUT_OF_MEMORY;
    }
    const o = this.poolUsed;
    for (let k = 0; k < w; k++) this.pool[o + k] = bits[lo + k];
    this.poolUsed += w;
    this.st[i] = state;
    this.h1[i] = a;
    this.h2[i] = b;
    this.off[i] = o;
    this.lo[i] = lo;
    this.len[i] = w;
    this.count++;
    if (this.count * 2 > this.cap && !this.growTable()) return MEMO_OUT_OF_MEMORY;
    return 1;
  }

  private growPool(need: number): boolean {
    const next = new Uint32Array(Math.max(this.pool.length * 2, need));
    if (this.bytes() + next.byteLength > this.limitBytes) return false;
    next.set(this.pool);
    this.pool = next;
    return true;
  }

  private growTable(): boolean {
    const cap = this.cap * 2;
    if (this.pool.byteLength + cap * 24 + this.cap * 24 > this.limitBytes) return false;
    const h1 = new Int32Array(cap);
    const h2 = new Int32Array(cap);
    const st = new Int32Array(cap).fill(-1);
    const off = new Int32Array(cap);
    const lo = new Int32Array(cap);
    const len = new Int32Array(cap);
    const mask = cap - 1;
    for (let j = 0; j < this.cap; j++) {
      const s = this.st[j];
      if (s === -1) continue;
      let i = (this.h1[j] ^ Math.imul(s, 0x9e3779b1)) & mask;
      while (st[i] !== -1) i = (i + 1) & mask;
      st[i] = s;
      h1[i] = this.h1[j];
      h2[i] = this.h2[j];
      off[i] = this.off[j];
      lo[i] = this.lo[j];
      len[i] = this.len[j];
    }
    this.cap = cap;
    this.mask = mask;
    this.h1 = h1;
    this.h2 = h2;
    this.st = st;
    this.off = off;
    this.lo = lo;
    this.len = len;
    return true;
  }
}
