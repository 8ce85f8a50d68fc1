/**
 * Faults as plain JSON: what `planSchedule` produces, what `test.json` records under `schedule`,
 * and what `faultFromSpec` turns back into a runnable `Fault`. A spec holds every choice that was
 * random (which region, which ring order), so replaying a spec does the same thing again.
 *
 * Each kind's spec type lives with its definition in `faults/<kind>.ts`; `FaultSpec` is the union
 * of the kinds in the registry's built-in list.
 */
import type { FaultSpecBase } from "./fault-definition.ts";
import type { BUILT_IN_FAULTS, SpecOf } from "./registry.ts";

export type FaultSpec = SpecOf<(typeof BUILT_IN_FAULTS)[number]>;

/** A built-in spec, or the spec of a fault registered at run time (what running and describing
 *  accept; the union keeps object literals of built-in kinds checked field by field). */
export type FaultSpecLike = FaultSpec | FaultSpecBase;

/** One entry of `test.json`'s `schedule`: start `spec` at `atMs` after the fault phase's origin
 *  (the run's start), stop it `durationMs` later. `S` is wider for faults registered at run time. */
export interface ScheduledFault<S extends FaultSpecBase = FaultSpec> {
  atMs: number;
  durationMs: number;
  spec: S;
}
