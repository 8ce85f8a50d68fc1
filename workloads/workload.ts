/**
 * What a workload is to the runner: for each logical process, a stream of operations drawn from
 * that process's own seeded `Random` (so the same seed gives a process the same operations however
 * the processes interleave); a way to apply one to a store's client; which ops only read (routing
 * sends those to the read target); and, optionally, operations to run once the faults have healed
 * and replication has quiesced (the final reads a set or a counter needs to be judged).
 *
 * The client type `C` is the workload's own (RegisterClient, SetClient); a store driver offers a
 * client that implements it, so the runner never needs to know either.
 */
import type { z } from "zod";
import type { Random } from "./random.ts";

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

/** A process's place among the run's concurrent processes: its slot survives the process being
 *  retired (Jepsen's rule), so the replacement carries on with the same stream. */
export interface ProcessSlot {
  /** 0 .. count-1. */
  index: number;
  /** Concurrent processes in all (regions x concurrency). */
  count: number;
}

export interface Workload<C, O extends WorkloadOp = WorkloadOp> {
  /** register, set, ... */
  readonly name: string;
  /** The op stream of one process slot, drawing only from `random` (that slot's own stream). */
  forProcess(slot: ProcessSlot, random: Random): () => O;
  apply(client: C, op: O): Promise<Applied>;
  /** Whether the op only reads: routing sends it to the read target, and an error on it is a
   *  definite `fail` (it changed nothing). */
  readOnly(op: O): boolean;
  /** Operations each region runs once after healing and quiescing (e.g. read every set). */
  finalOps?(): O[];
}

/**
 * A workload as scenarios and the CLI name it: its knobs (validated by its own schema, errors
 * naming the field) and how to make it. Registered in workloads/index.ts.
 */
export interface WorkloadDefinition<Opts = unknown> {
  readonly name: string;
  readonly description: string;
  /** Its options with their defaults; unknown fields are errors. */
  readonly options: z.ZodType<Opts>;
  create(options: Opts): Workload<unknown, WorkloadOp>;
}
