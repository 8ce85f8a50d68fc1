/**
 * Several registers changed together by transactions: `f: "txn"`, value
 * `[["read","x",null],["write","y",2]]` (`r`/`w` also accepted), reads filled in on ok. A txn
 * reads its own earlier writes. Ops on disjoint registers are checked apart (see `resources`).
 * `--initial` is a `{register: value}` map, or one value for every register (default null).
 */
import type { Op } from "../history/op.ts";
import { canonical, hashString } from "./canonical.ts";
import { type Model, ModelInputError, type Outcome, type PrepareContext } from "./model.ts";

export interface MultiRegisterState {
  /** Registers whose value differs from `dflt` (canonical values). */
  vals: Readonly<Record<string, string>>;
  dflt: string;
  key: string;
}

export interface MicroOp {
  write: boolean;
  reg: string;
  /** write: value; read: value read (checked only when the txn is ok). */
  v: string;
  /** A read of nil under Knossos's convention: matches whatever the register holds. */
  any?: boolean;
}

export interface MultiRegisterInput {
  mops: MicroOp[];
  ok: boolean;
}

function makeState(vals: Record<string, string>, dflt: string): MultiRegisterState {
  const regs = Object.keys(vals).sort();
  return { vals, dflt, key: regs.map((r) => `${JSON.stringify(r)}=${vals[r]}`).join(",") };
}

function parseMicroOps(
  invoke: Op,
  completion: Op | undefined,
  ok: boolean,
  context: PrepareContext | undefined,
): MicroOp[] {
  const f = invoke.f;
  // A single read/write is a one-op txn: {"f":"read","key":"x"} is not how this model spells it,
  // but {"f":"write","value":["x",1]} is accepted for symmetry with Jepsen's multi-register.
  const v = ok && completion !== undefined ? completion.value : invoke.value;
  if (f !== "txn" && f !== "read" && f !== "write") {
    throw new ModelInputError(`unknown f "${f}" for model multi-register (expected txn)`);
  }
  if (!Array.isArray(v)) {
    throw new ModelInputError(
      `a multi-register txn value must be [["read","x",v],["write","y",v],...], got ${JSON.stringify(v)}`,
    );
  }
  return v.map((m): MicroOp => {
    if (!Array.isArray(m) || m.length !== 3) {
      throw new ModelInputError(`each micro-op must be [f, register, value], got ${JSON.stringify(m)}`);
    }
    const [mf, reg, val] = m;
    const write = mf === "write" || mf === "w";
    if (!write && mf !== "read" && mf !== "r") {
      throw new ModelInputError(
        `unknown micro-op "${String(mf)}" in a multi-register txn (expected read or write)`,
      );
    }
    const r = typeof reg === "string" ? reg : canonical(reg);
    // Knossos's multi-register: "Nil reads are always legal."
    if (!write && context?.nilReads === "any" && (val === null || val === undefined)) {
      return { write, reg: r, v: "null", any: true };
    }
    return { write, reg: r, v: canonical(val) };
  });
}

export const multiRegisterModel: Model<MultiRegisterState, MultiRegisterInput> = {
  name: "multi-register",
  description: 'registers read and written by txns: [["read","x",null],["write","y",2]]',
  fs: ["txn"],
  init(initial) {
    if (initial !== null && typeof initial === "object" && !Array.isArray(initial)) {
      const vals: Record<string, string> = {};
      for (const [k, v] of Object.entries(initial)) if (v !== null) vals[k] = canonical(v);
      return makeState(vals, "null");
    }
    return makeState({}, canonical(initial ?? null));
  },
  prepare: (invoke: Op, completion: Op | undefined, outcome: Outcome, context?: PrepareContext) => ({
    mops: parseMicroOps(invoke, completion, outcome === "ok", context),
    ok: outcome === "ok",
  }),
  step(state, input) {
    let vals: Record<string, string> | undefined;
    for (const m of input.mops) {
      const cur = (vals ?? state.vals)[m.reg] ?? state.dflt;
      if (m.write) {
        if (cur === m.v) continue;
        vals ??= { ...state.vals };
        if (m.v === state.dflt) delete vals[m.reg];
        else vals[m.reg] = m.v;
      } else if (input.ok && !m.any && cur !== m.v) {
        return undefined;
      }
    }
    return vals === undefined ? state : makeState(vals, state.dflt);
  },
  hash: (s) => hashString(s.key),
  equal: (a, b) => a.key === b.key && a.dflt === b.dflt,
  describeState(s) {
    const regs = Object.keys(s.vals).sort();
    const shown = regs.map((r) => `${r}=${s.vals[r]}`).join(", ");
    return `{${shown}}${s.dflt === "null" ? "" : ` (others ${s.dflt})`}`;
  },
  describeOp: (input) =>
    `txn [${input.mops.map((m) => `${m.write ? "w" : "r"} ${m.reg} ${m.write || (input.ok && !m.any) ? m.v : "?"}`).join(", ")}]`,
  resources: (input) => [...new Set(input.mops.map((m) => m.reg))],
  readOnly: (input) => input.mops.every((m) => !m.write),
  canObserve(q, o) {
    if (!q.ok) return false;
    for (const w of o.mops) {
      if (!w.write) continue;
      for (const r of q.mops) if (!r.write && !r.any && r.reg === w.reg && r.v === w.v) return true;
    }
    return false;
  },
};
