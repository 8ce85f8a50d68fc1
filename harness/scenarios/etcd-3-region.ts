/**
 * etcd-3-region: "Raft, one member per region". Three etcd members, one each in us-east, eu-west
 * and ap-south; every region's clients read and write registers (with compare-and-set) through
 * their own region's member, linearizable reads. Faults: partitions of every shape (packet level,
 * `--net netns`, the default here), kills and pauses of members. The history must be linearizable:
 * a positive control (a failure would be a finding about etcd; keep the history).
 *
 * etcd-serializable-reads is the same with serializable reads, and partitions that isolate one
 * region: its member, cut off from the majority, keeps answering reads from its own stale state
 * while the majority moves on. A negative control: `nonlinearizable`.
 */
import type { LayoutSpec } from "../stores/store-driver.ts";
import type { CheckerSpec, Scenario } from "./scenario.ts";

export const ETCD_LAYOUT: LayoutSpec = {
  kind: "raft",
  regions: ["us-east", "eu-west", "ap-south"],
  nodes: [
    { name: "etcd-us-east-1", region: "us-east", role: "peer" },
    { name: "etcd-eu-west-1", region: "eu-west", role: "peer" },
    { name: "etcd-ap-south-1", region: "ap-south", role: "peer" },
  ],
};

const LINEARIZABLE_REGISTER: CheckerSpec = {
  name: "linearizable",
  options: { model: "cas-register", initial: null, allKeys: true },
};

export const etcd3Region: Scenario = {
  name: "etcd-3-region",
  layout: "Raft, one member per region; clients use their region's member; linearizable reads",
  expected: "linearizable under partitions, kills and pauses",
  expectedValid: true,
  implemented: true,
  store: "etcd",
  layoutSpec: ETCD_LAYOUT,
  workload: "register",
  routing: { writes: "local", reads: "local" },
  checkers: [LINEARIZABLE_REGISTER],
  defaults: { net: "netns", nemesis: ["partition", "kill", "pause"], nemesisIntervalS: 4, faultDurationS: 3 },
};

export const etcdSerializableReads: Scenario = {
  ...etcd3Region,
  name: "etcd-serializable-reads",
  layout: "as etcd-3-region, with serializable reads (each member answers from its own state)",
  expected: "stale reads from a member cut off from the majority: not linearizable",
  expectedValid: false,
  expectedAnomalies: ["nonlinearizable"],
  storeOptions: { reads: "serializable" },
  defaults: { net: "netns", nemesis: ["partition-isolate-region"], nemesisIntervalS: 7, faultDurationS: 6 },
};
