/**
 * Model states as small integers. Each distinct state (by the model's hash and equality) gets
 * an id once; transitions (state id, op) -> state id are cached in a typed open-addressing
 * table, so the search calls the model only the first time it tries an op in a state and
 * otherwise does no allocation and no hashing of states.
 */
import type { AnyModel } from "../models/model.ts";

export const ILLEGAL = -1;
const UNKNOWN = -2;

export class StateTable {
  readonly states: unknown[] = [];
  private readonly byHash = new Map<number, number[]>();
  private cap = 1 << 10;
  private mask = this.cap - 1;
  private count = 0;
  private keyS = new Int32Array(this.cap).fill(-1);
  private keyO = new Int32Array(this.cap);
  private val = new Int32Array(this.cap);

  constructor(
    private readonly model: AnyModel,
    private readonly inputs: readonly unknown[],
  ) {}

  intern(state: unknown): number {
    const h = this.model.hash(state);
    let ids = this.byHash.get(h);
    if (ids === undefined) {
      ids = [];
      this.byHash.set(h, ids);
    }
    for (const id of ids) if (this.model.equal(this.states[id], state)) return id;
    const id = this.states.length;
    this.states.push(state);
    ids.push(id);
    return id;
  }

  /** The state after `op` in state `sid`, or ILLEGAL. */
  next(sid: number, op: number): number {
    let i = (Math.imul(sid, 0x9e3779b1) ^ Math.imul(op, 0x85ebca6b)) & this.mask;
    for (;;) {
      const s = this.keyS[i];
      if (s === -1) break;
      if (s === sid && this.keyO[i] === op) return this.val[i];
      i = (i + 1) & this.mask;
    }
    const after = this.model.step(this.states[sid], this.inputs[op]);
    const v = after === undefined ? ILLEGAL : this.intern(after);
    this.keyS[i] = sid;
    this.keyO[i] = op;
    this.val[i] = v;
    if (++this.count * 2 > this.cap) this.grow();
    return v;
  }

  bytes(): number {
    return this.cap * 12;
  }

  private grow(): void {
    const cap = this.cap * 2;
    const mask = cap - 1;
    const keyS = new Int32Array(cap).fill(-1);
    const keyO = new Int32Array(cap);
    const val = new Int32Array(cap).fill(UNKNOWN);
    for (let j = 0; j < this.cap; j++) {
      const s = this.keyS[j];
      if (s === -1) continue;
      let i = (Math.imul(s, 0x9e3779b1) ^ Math.imul(this.keyO[j], 0x85ebca6b)) & mask;
      while (keyS[i] !== -1) i = (i + 1) & mask;
      keyS[i] = s;
      keyO[i] = this.keyO[j];
      val[i] = this.val[j];
    }
    this.cap = cap;
    this.mask = mask;
    this.keyS = keyS;
    this.keyO = keyO;
    this.val = val;
  }
}
