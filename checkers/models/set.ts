/**
 * A grow-only set: `add x`, and `read` (null on invoke, the whole set as an array on ok).
 * The state is the sorted canonical elements and their joined text (for hashing and equality).
 */
import type { Op } from "../history/op.ts";
import { canonical, hashString } from "./canonical.ts";
import { type Model, ModelInputError, type Outcome } from "./model.ts";

export interface SetState {
  elems: readonly string[];
  key: string;
}

export interface SetInput {
  add: boolean;
  /** add: the element. */
  x: string;
  /** read: the elements read, sorted, and their joined text. */
  read: SetState;
  ok: boolean;
}

function makeSet(elems: Iterable<string>): SetState {
  const sorted = [...new Set(elems)].sort();
  // Canonical JSON escapes control characters, so \u0000 cannot occur inside an element.
  return { elems: sorted, key: sorted.join("\u0000") };
}

const EMPTY = makeSet([]);

export const setModel: Model<SetState, SetInput> = {
  name: "set",
  description: "a grow-only set: add x, read (the whole set)",
  fs: ["add", "read"],
  init(initial) {
    if (initial === null || initial === undefined) return EMPTY;
    if (!Array.isArray(initial))
      throw new ModelInputError(`--initial for set must be an array, got ${JSON.stringify(initial)}`);
    return makeSet(initial.map(canonical));
  },
  prepare(invoke: Op, completion: Op | undefined, outcome: Outcome): SetInput {
    const ok = outcome === "ok";
    if (invoke.f === "add") return { add: true, x: canonical(invoke.value), read: EMPTY, ok };
    if (invoke.f === "read") {
      if (!ok) return { add: false, x: "", read: EMPTY, ok };
      const v = completion?.value;
      if (!Array.isArray(v))
        throw new ModelInputError(`a set read must return an array, got ${JSON.stringify(v)}`);
      return { add: false, x: "", read: makeSet(v.map(canonical)), ok };
    }
    throw new ModelInputError(`unknown f "${invoke.f}" for model set (expected add, read)`);
  },
  step(state, input) {
    if (!input.add) return !input.ok || state.key === input.read.key ? state : undefined;
    if (state.elems.includes(input.x)) return state;
    return makeSet([...state.elems, input.x]);
  },
  hash: (s) => hashString(s.key),
  equal: (a, b) => a.key === b.key,
  describeState: (s) => `#{${s.elems.join(" ")}}`,
  describeOp: (input) =>
    input.add ? `add ${input.x}` : input.ok ? `read #{${input.read.elems.join(" ")}}` : "read ?",
  readOnly: (input) => !input.add,
  // Elements are never removed: every read after an add contains the element.
  canObserve: (q, o) => !q.add && q.ok && q.read.elems.includes(o.x),
};
