/** A planned fault in words, before it runs: for `--dry-run` listings, summaries and reports. */
import { faultDefinitionOf } from "./registry.ts";
import type { FaultSpecLike, ScheduledFault } from "./spec.ts";

export function describeFault(spec: FaultSpecLike): string {
  return faultDefinitionOf(spec).describe(spec);
}

/** One line per fault: "  12.0s-16.0s  partition: isolate eu-west (blackhole)". */
export function describeSchedule(schedule: readonly ScheduledFault<FaultSpecLike>[]): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  return schedule.map(
    (f) => `${s(f.atMs).padStart(7)}-${s(f.atMs + f.durationMs).padEnd(7)} ${describeFault(f.spec)}`,
  );
}
