/** A planned fault in words, before it runs: for `--dry-run` listings, summaries and reports. */
import { formatDelta } from "./clock-fault.ts";
import { describeShape } from "./shapes.ts";
import type { FaultSpec, ScheduledFault } from "./spec.ts";

export function describeFault(spec: FaultSpec): string {
  switch (spec.kind) {
    case "partition":
      return `partition: ${describeShape(spec)}${spec.scope === "peers" ? " (peers only)" : ""} (${spec.mechanism})`;
    case "latency":
      return `latency ${spec.regions.join("<->")} +${spec.latencyMs}ms ±${spec.jitterMs}ms`;
    case "bandwidth":
      return `bandwidth ${spec.regions.join("<->")} ${spec.rateKBps} KB/s`;
    case "clock":
      return spec.action === "reset"
        ? `clock ${spec.node} reset`
        : spec.action === "bump"
          ? `clock ${spec.node} ${formatDelta(spec.deltaMs)}`
          : `clock ${spec.node} strobe ${formatDelta(spec.deltaMs)} every ${spec.periodMs}ms`;
    case "kill":
      return `kill ${spec.node}`;
    case "pause":
      return `pause ${spec.node}`;
    case "failover":
      return `failover ${spec.from} -> ${spec.to} (routing split ${Math.round(spec.splitFraction * 100)}% for ${spec.windowMs}ms)`;
  }
}

/** One line per fault: "  12.0s-16.0s  partition: isolate eu-west (blackhole)". */
export function describeSchedule(schedule: readonly ScheduledFault[]): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)}s`;
  return schedule.map(
    (f) => `${s(f.atMs).padStart(7)}-${s(f.atMs + f.durationMs).padEnd(7)} ${describeFault(f.spec)}`,
  );
}
