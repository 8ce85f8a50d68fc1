/**
 * What a workload is to the runner: a source of operations drawn from a seeded `Random`, a way to
 * apply one to a store's client, and, optionally, operations to run once the faults have healed
 * and replication has quiesced (the final reads a set or a counter needs to be judged).
 *
 * The client type `C` is the workload's own (RegisterClient, SetClient); a scenario pairs a
 * workload with a store client that implements it, so the runner never needs to know either.
 */

/** One operation as the workload hands it out; recorded as is in the invoke. */
export interface WorkloadOp {
  f: string;
  /** Independent key, for workloads checked key by key. */
  key?: number;
  value: unknown;
}

/** What applying an op did: ok with the completion's value, or definitely not (fail). An op
 *  whose outcome is unknown throws instead (see outcome.ts for the classification). */
export type Applied = { ok: true; value: unknown } | { ok: false; value: unknown; error: string };

export interface Workload<C, O extends WorkloadOp = WorkloadOp> {
  /** register, set, ... */
  readonly name: string;
  /** The next operation; deterministic for a given seed and call sequence. */
  next(): O;
  apply(client: C, op: O): Promise<Applied>;
  /** Whether the op can change the store: an error on one that cannot is a definite `fail`. */
  hasEffect(op: O): boolean;
  /** Operations each region runs once after healing and quiescing (e.g. read every set). */
  finalOps?(): O[];
}
