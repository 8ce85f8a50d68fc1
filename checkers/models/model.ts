/**
 * The contract between a sequential data type and the linearizability checker, after Porcupine's
 * model.go: a model is a plain object with a few functions, and adding one touches nothing else.
 *
 * The checker calls `prepare` once per operation (validating `f` and turning the op into a
 * compact input), then `step` during the search. States must be treated as immutable: `step`
 * returns a new state (or the same one) and never mutates its argument, because the checker
 * interns states and caches transitions between them.
 */
import type { Op } from "../history/op.ts";

/** `ok`: the op took effect, its result is known. `info`: it may or may not have taken effect. */
export type Outcome = "ok" | "info";

/**
 * What an ok read of `nil`/null means. `value`: the register held null (faultline's workloads
 * record what they read, so a null read is a real observation). `any`: the read's value is
 * unknown and matches every state, as in Knossos's register, cas-register and multi-register
 * models ("nil reads are always legal"); Jepsen histories are written with that convention.
 */
export type NilReads = "any" | "value";

/** History conventions that change how an op is read; models that have no such case ignore them. */
export interface PrepareContext {
  nilReads: NilReads;
}

export interface Model<S, I> {
  name: string;
  /** One line for `faultline check --help` and the report. */
  description: string;
  /** The `f` values this model understands, for error messages. */
  fs: readonly string[];
  /**
   * The state before any op, from `--initial` (already parsed JSON; `undefined` when not given).
   * `key` is the op's independent key, for models whose initial value may be a per-key map.
   */
  init(initial: unknown, key: unknown): S;
  /**
   * One op as model input. Throws `ModelInputError` when `f` or the value does not fit the model.
   * `completion` is the ok/info completion (undefined when the op never completed).
   */
  prepare(invoke: Op, completion: Op | undefined, outcome: Outcome, context?: PrepareContext): I;
  /** The next state, or `undefined` when the op cannot happen in `state` (with its observed result). */
  step(state: S, input: I): S | undefined;
  hash(state: S): number;
  equal(a: S, b: S): boolean;
  describeState(state: S): string;
  /**
   * The op in a few words. Two info ops with the same description must behave the same in
   * `step` (the checker treats them as interchangeable).
   */
  describeOp(input: I): string;
  /**
   * Independent parts of the state an op touches (registers of a multi-register). Ops touching
   * disjoint resources are checked separately (P-compositionality); omit for single-object models.
   */
  resources?(input: I): string[];
  /**
   * A blind write: legal in every state, and leaves the same state whatever the state before
   * (a register write, a kv put). Optional. The checker never places one right after a crashed
   * op: that order is no better than leaving the crashed op out, which it also tries.
   */
  blindWrite?(input: I): boolean;
  /** An info op with no effect on the state (a read with unknown result) constrains nothing and is dropped. */
  readOnly(input: I): boolean;
  /**
   * May `observer` see whether the info op `info` took effect? Conservative: true when unsure.
   * Once every op that may observe an info op is placed, the checker stops considering it (an
   * unobserved effect can always be taken as never having happened). This is what keeps
   * histories with many crashed writes tractable.
   */
  canObserve(observer: I, info: I): boolean;
}

// Variance: the checker handles models without knowing S and I.
// biome-ignore lint/suspicious/noExplicitAny: models are heterogeneous; the checker treats S and I as opaque.
export type AnyModel = Model<any, any>;

/** Op value or `f` that does not fit the model; the checker adds the line. */
export class ModelInputError extends Error {
  override name = "ModelInputError";
}
