/** FaultSpec (plain JSON, from a schedule or test.json) -> a runnable Fault. */
import { ClockFault } from "./clock-fault.ts";
import { FailoverFault } from "./failover.ts";
import type { Fault } from "./fault.ts";
import { BandwidthFault, LatencyFault } from "./link-faults.ts";
import { PartitionFault } from "./partition.ts";
import { KillFault, PauseFault } from "./process-faults.ts";
import type { FaultSpec } from "./spec.ts";

export function faultFromSpec(spec: FaultSpec): Fault {
  switch (spec.kind) {
    case "partition":
      return new PartitionFault(spec);
    case "latency":
      return new LatencyFault(spec);
    case "bandwidth":
      return new BandwidthFault(spec);
    case "clock":
      return new ClockFault(spec);
    case "kill":
      return new KillFault(spec);
    case "pause":
      return new PauseFault(spec);
    case "failover":
      return new FailoverFault(spec);
    default:
      throw new Error(
        `unknown fault kind '${(spec as { kind: unknown }).kind}' in schedule (known: partition, latency, bandwidth, clock, kill, pause, failover)`,
      );
  }
}
