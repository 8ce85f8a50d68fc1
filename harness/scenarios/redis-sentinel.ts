/**
 * redis-sentinel: "master + replicas + Sentinels over regions; failover under partition". The
 * master lives in us-east, replicas in eu-west and ap-south, one Sentinel in each region; clients
 * write to whatever master the Sentinels name (ioredis) and read their own region's node.
 *
 * Its own nemesis, `isolate-master-region`, cuts the master's region off from the others (nodes
 * and client links alike). The Sentinels in the majority promote a replica; the old master keeps
 * acknowledging the writes of its own region's clients, whose only reachable Sentinel still names
 * it, until the partition heals and Sentinel turns it into a replica of the new master, dropping
 * them: `lost-write` ("last failover wins", as Jepsen found in 2013), and reads in the cut-off
 * region that miss what the new master acknowledged (`stale-read`). A negative control.
 * Needs `--net netns` (the default here): Sentinels and replicas find each other by gossip.
 */
import { Prng } from "../generator/prng.ts";
import type { ScheduledFault } from "../nemesis/spec.ts";
import type { LayoutSpec } from "../stores/store-driver.ts";
import { cutStart, cutWindow } from "./cut-window.ts";
import type { Scenario, ScenarioNemesisPlan } from "./scenario.ts";

export const ISOLATE_MASTER_REGION = "isolate-master-region";

/** Data nodes first in each region: a region's first node is where its clients read. */
export const REDIS_SENTINEL_LAYOUT: LayoutSpec = {
  kind: "sentinel",
  regions: ["us-east", "eu-west", "ap-south"],
  nodes: [
    { name: "redis-us-east-1", region: "us-east", role: "primary" },
    { name: "redis-eu-west-1", region: "eu-west", role: "replica" },
    { name: "redis-ap-south-1", region: "ap-south", role: "replica" },
    { name: "sentinel-us-east-1", region: "us-east", role: "sentinel" },
    { name: "sentinel-eu-west-1", region: "eu-west", role: "sentinel" },
    { name: "sentinel-ap-south-1", region: "ap-south", role: "sentinel" },
  ],
};

/**
 * One isolation of the master's region, after a warm-up (plus a seeded jitter), lasting the
 * fault duration, ending before the time limit so the run sees the old master rejoin.
 */
export function planIsolateMasterRegion(opts: ScenarioNemesisPlan): ScheduledFault[] {
  const { topology } = opts;
  const master = topology.nodes.find((n) => n.role === "primary");
  if (!master) throw new Error(`nemesis '${ISOLATE_MASTER_REGION}' needs a node with role 'primary'`);
  const window = cutWindow(ISOLATE_MASTER_REGION, opts, 6);
  const { cutMs } = window;
  const cutAt = cutStart(window, new Prng(opts.seed).fork("nemesis-schedule"));
  return [
    {
      atMs: cutAt,
      durationMs: cutMs,
      spec: { kind: "partition", mechanism: "blackhole", shape: "isolate-region", region: master.region },
    },
  ];
}

export const redisSentinel: Scenario = {
  name: "redis-sentinel",
  layout:
    "single writer found through Sentinel: master in us-east, async replicas in eu-west and ap-south, a Sentinel per region; local reads",
  expected: "lost acknowledged writes (the demoted master's), stale reads",
  expectedValid: false,
  expectedAnomalies: ["lost-write", "stale-read"],
  implemented: true,
  store: "redis",
  layoutSpec: REDIS_SENTINEL_LAYOUT,
  workload: "set",
  routing: { writes: "primary", reads: "local" },
  checkers: [{ name: "set", options: {} }],
  defaults: { net: "netns", nemesis: [ISOLATE_MASTER_REGION], faultDurationS: 12, nemesisIntervalS: 12 },
  nemeses: {
    [ISOLATE_MASTER_REGION]: {
      description:
        "cut the master's region off (nodes and clients); the Sentinels elsewhere promote a replica, the old master keeps its region's writes until healed",
      plan: planIsolateMasterRegion,
    },
  },
};
