/**
 * A single register: `read` (value null on invoke, the value read on ok), `write v`, and for
 * `cas-register` also `cas [from, to]` (ok: it swapped; fail: the compare did not match, and a
 * failed op is dropped before the model sees it). States and values are canonical JSON text.
 */
import type { Op } from "../history/op.ts";
import { canonical, hashString } from "./canonical.ts";
import { type Model, ModelInputError, type Outcome, type PrepareContext } from "./model.ts";

const READ = 0;
const WRITE = 1;
const CAS = 2;

export interface RegisterInput {
  kind: typeof READ | typeof WRITE | typeof CAS;
  /** read: value read (ok only); write: value written; cas: expected value. */
  a: string;
  /** cas: new value. */
  b: string;
  ok: boolean;
}

function makeRegister(name: string, withCas: boolean): Model<string, RegisterInput> {
  const fs = withCas ? ["read", "write", "cas"] : ["read", "write"];
  return {
    name,
    description: withCas
      ? "one register: read, write v, cas [from, to] (fail = compare did not match)"
      : "one register: read, write v",
    fs,
    init: (initial) => canonical(initial ?? null),
    prepare(
      invoke: Op,
      completion: Op | undefined,
      outcome: Outcome,
      context?: PrepareContext,
    ): RegisterInput {
      const ok = outcome === "ok";
      switch (invoke.f) {
        case "read":
        case "r": {
          // Knossos: `(or (nil? (:value op)) (= value (:value op)))`: under that convention a
          // nil read is a read of an unknown value, like an info read.
          const value = completion?.value;
          if (ok && context?.nilReads === "any" && (value === null || value === undefined)) {
            return { kind: READ, a: "", b: "", ok: false };
          }
          return { kind: READ, a: ok ? canonical(value) : "", b: "", ok };
        }
        case "write":
        case "w":
          return { kind: WRITE, a: canonical(invoke.value), b: "", ok };
        case "cas": {
          if (!withCas) break;
          const v = invoke.value ?? completion?.value;
          if (!Array.isArray(v) || v.length !== 2) {
            throw new ModelInputError(`cas value must be [from, to], got ${JSON.stringify(v)}`);
          }
          return { kind: CAS, a: canonical(v[0]), b: canonical(v[1]), ok };
        }
      }
      throw new ModelInputError(`unknown f "${invoke.f}" for model ${name} (expected ${fs.join(", ")})`);
    },
    step(state, input) {
      if (input.kind === WRITE) return input.a;
      if (input.kind === READ) return !input.ok || state === input.a ? state : undefined;
      // A cas whose compare did not match had no effect; for info ops "not linearized" covers that.
      return state === input.a ? input.b : undefined;
    },
    hash: hashString,
    equal: (a, b) => a === b,
    describeState: (s) => s,
    describeOp(input) {
      if (input.kind === READ) return input.ok ? `read ${input.a}` : "read ?";
      if (input.kind === WRITE) return `write ${input.a}`;
      return `cas ${input.a}->${input.b}`;
    },
    blindWrite: (input) => input.kind === WRITE,
    readOnly: (input) => input.kind === READ,
    canObserve(q, o) {
      const produced = o.kind === WRITE ? o.a : o.b;
      if (q.kind === READ) return q.ok && q.a === produced;
      return q.kind === CAS && q.a === produced;
    },
  };
}

export const registerModel = makeRegister("register", false);
export const casRegisterModel = makeRegister("cas-register", true);
