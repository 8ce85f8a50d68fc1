/**
 * pg-geo-partitioned (the seeds' "geo-partitioned: each region owns a subset; home-region
 * ownership"): a writable PostgreSQL node per region with bidirectional logical replication (the
 * multi-writer layout), but every key has a home region (home-region.ts) and every write of a key
 * goes to its home's node, through the cross-region link when the home is remote; reads are local.
 * Conflicts are avoided by ownership: a row is only ever written in one place.
 *
 * Positive control: no conflicts, no lost writes (each key's history on its home node is
 * linearizable), no divergence. What it costs is stale reads: a local read of a key homed
 * elsewhere lags by the replication delay, so a process that wrote such a key may not read its own
 * write back. The session checker reports those as the layout's expected cost; they do not fail
 * the scenario (the checker runs with `expectedCost`, its anomalies listed, its verdict not counted).
 *
 * Under its `dns-split` nemesis (a negative control): during a routing change, a share of the
 * clients resolve some keys' home to the wrong region for a window, so both regions write those
 * rows: PostgreSQL counts conflicts, writes are lost and the copies diverge.
 */
import { DNS_SPLIT } from "../nemesis/faults/dns-split.ts";
import { MULTI_WRITER_LAYOUT } from "./pg-multi-writer.ts";
import type { Scenario, ScenarioNemesisPlan } from "./scenario.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";

/** One split window, a third into the run, lasting the fault duration. */
export function planDnsSplit(opts: ScenarioNemesisPlan): ScheduledFault[] {
  const regions = opts.topology.regions.map((r) => r.name);
  const atMs = Math.round(Math.min(opts.intervalMs, opts.timeLimitMs / 3));
  const durationMs = Math.round(Math.min(opts.faultDurationMs, opts.timeLimitMs - atMs));
  if (durationMs <= 0)
    throw new Error(`nemesis '${DNS_SPLIT}' needs a time limit longer than its start at ${atMs / 1000} s`);
  return [
    { atMs, durationMs, spec: { kind: DNS_SPLIT, homes: regions, windowMs: durationMs, splitFraction: 0.5 } },
  ];
}

export const pgGeoPartitioned: Scenario = {
  name: "pg-geo-partitioned",
  layout:
    "geo-partitioned: home-region ownership, writes routed to each key's home region, local reads; bidirectional logical replication",
  expected:
    "positive: no conflicts, no lost writes, no divergence (stale local reads of remote keys are the expected cost)",
  expectedValid: true,
  expectedUnder: {
    [DNS_SPLIT]: {
      expected:
        "negative: conflicts counted, acknowledged writes lost (not linearizable at their home) during the split window",
      expectedValid: false,
      expectedAnomalies: ["nonlinearizable"],
    },
  },
  implemented: true,
  store: "postgres",
  layoutSpec: MULTI_WRITER_LAYOUT,
  storeOptions: { resolution: "apply-on-arrival" },
  workload: "register",
  routing: { writes: "home", reads: "local" },
  checkers: [
    {
      name: "home-linearizable",
      // Key k's home node, as home-region.ts deals keys over the layout's regions (one node each).
      options: {
        model: "cas-register",
        initial: null,
        allKeys: true,
        homes: MULTI_WRITER_LAYOUT.nodes.map((n) => n.name),
      },
    },
    {
      name: "session",
      options: {},
      expectedCost: "local reads of keys homed in another region lag by the replication delay",
    },
  ],
  nemeses: {
    [DNS_SPLIT]: {
      description:
        "split-brain routing during DNS convergence: for a window, half the clients write keys to the wrong region",
      plan: planDnsSplit,
    },
  },
};
