/**
 * pg-failover: "async replica promoted when the primary's region is cut off; routing moves with a
 * split window". The primary lives in us-east, an asynchronous streaming standby in eu-west (the
 * pg-async-replica layout), and clients run the set workload, reading from wherever they write.
 *
 * Its own nemesis, `region-failover`, is the incident in three steps: the primary's region is cut
 * off from the replica (replication stops; clients still reach both nodes and keep writing to
 * the primary), then the replica is promoted and writes move to it, but for a routing window a
 * share of the processes keeps writing to the old primary. Both nodes accept writes the other
 * never sees: what the old primary acknowledged after the cut is lost to the clients, who now read
 * the new primary (`lost-write`), and the two copies differ for good (`divergence`). A negative
 * control.
 */
import { Prng } from "../generator/prng.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import { PRIMARY_STANDBY_LAYOUT } from "./pg-async-replica.ts";
import { cutStart, cutWindow } from "./cut-window.ts";
import type { Scenario, ScenarioNemesisPlan } from "./scenario.ts";

export const REGION_FAILOVER = "region-failover";

/** Share of processes that keep writing to the old primary during the routing window. */
const SPLIT_FRACTION = 0.5;

/**
 * Plans one region failover (promotion cannot be undone, so there is one per run):
 * - at `cutAt` (after a warm-up, plus a seeded jitter): partition `partial` of the primary's
 *   region, lasting `faultDurationMs`: node-to-node links are cut, clients reach every node;
 * - at a seeded 30-60 % into the cut: failover to the replica, with a routing window of a third
 *   of the cut during which half the processes still write to the old primary.
 * Everything ends before `timeLimitMs`; the runner heals and reads the final states after that.
 */
export function planRegionFailover(opts: ScenarioNemesisPlan): ScheduledFault[] {
  const { topology } = opts;
  const primary = topology.nodes.find((n) => n.role === "primary");
  const replicas = topology.nodes.filter((n) => n.role === "replica");
  if (!primary || replicas.length === 0)
    throw new Error(`nemesis '${REGION_FAILOVER}' needs a primary and a replica in the topology`);
  const window = cutWindow(REGION_FAILOVER, opts, 10);
  const { cutMs } = window;
  const rng = new Prng(opts.seed).fork("nemesis-schedule");
  const replica = rng.pick(replicas);
  const cutAt = cutStart(window, rng);
  const failoverAt = cutAt + Math.round(cutMs * (0.3 + 0.3 * rng.float()));
  const windowMs = Math.round(cutMs / 3);
  return [
    {
      atMs: cutAt,
      durationMs: cutMs,
      spec: { kind: "partition", mechanism: "blackhole", shape: "partial", region: primary.region },
    },
    {
      atMs: failoverAt,
      durationMs: windowMs,
      spec: {
        kind: "failover",
        from: primary.name,
        to: replica.name,
        windowMs,
        splitFraction: SPLIT_FRACTION,
      },
    },
  ];
}

export const pgFailover: Scenario = {
  name: "pg-failover",
  layout: "async replica promoted when the primary's region is cut off; routing moves with a split window",
  expected: "lost acknowledged writes, divergence",
  expectedValid: false,
  expectedAnomalies: ["lost-write", "divergence"],
  implemented: true,
  store: "postgres",
  layoutSpec: PRIMARY_STANDBY_LAYOUT,
  workload: "set",
  // Clients read where they write, so a read after the failover sees what the new primary has.
  routing: { writes: "primary", reads: "primary" },
  checkers: [{ name: "set", options: {} }],
  defaults: { nemesis: [REGION_FAILOVER], faultDurationS: 8 },
  nemeses: {
    [REGION_FAILOVER]: {
      description:
        "cut the primary's region off from the replica, promote the replica, move writes with a split routing window",
      plan: planRegionFailover,
    },
  },
};
