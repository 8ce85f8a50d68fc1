/**
 * Sessions switching region mid-session (the `region-switch` nemesis: a DNS change, a VPN, a mobile
 * network moves half of each region's sessions to the other region for a while). Layout of
 * pg-async-replica: primary in us-east, asynchronous standby in eu-west, writes to the primary.
 *
 * - pg-region-switch-local: reads on the node of the region the session is in now. A us-east
 *   session reads the primary at home, so it only goes back in time once it is moved to eu-west
 *   and reads the lagging standby: read-your-writes and monotonic-reads violations during the
 *   switch windows (eu-west's own sessions show read-your-writes violations any time, as in
 *   pg-async-replica; the report names the fault each anomaly happened under).
 * - pg-region-switch-pinned: the session's causality token moves with it, so a read goes to the
 *   standby only once it has applied the session's last write and read: no session violations.
 *
 * Cross-region latency is 100 ms and each session runs an op about every 50 ms, so the standby
 * lags the primary by more than a session's gap between a write and its next read.
 */
import { REGION_SWITCH } from "../nemesis/faults/region-switch.ts";
import { pgAsyncReplica } from "./pg-async-replica.ts";
import type { Scenario } from "./scenario.ts";

const base = {
  store: pgAsyncReplica.store,
  layoutSpec: pgAsyncReplica.layoutSpec,
  workload: pgAsyncReplica.workload,
  implemented: true as const,
  checkers: [
    { name: "session", options: {} },
    // How stale, and how often: a measurement here, not the verdict.
    {
      name: "staleness",
      options: {},
      expectedCost: "reads of other sessions' writes on the async standby are stale by design",
    },
  ],
  // One key at a time, so a session's next read is of the key it just wrote or read; short, frequent
  // switches, so many sessions cross between regions while the standby lags.
  workloadOptions: { keysInFlight: 1 },
  defaults: { nemesis: [REGION_SWITCH], latencyMs: 100, rate: 200, nemesisIntervalS: 3, faultDurationS: 2 },
};

export const pgRegionSwitchLocal: Scenario = {
  ...base,
  name: "pg-region-switch-local",
  layout:
    "single writer in us-east, async standby in eu-west; half the sessions switch region for a while; reads local to where the session is now",
  expected: "read-your-writes and monotonic-reads violations by sessions moved to eu-west, during the switch",
  expectedValid: false,
  expectedAnomalies: ["read-your-writes", "monotonic-reads"],
  routing: { writes: "primary", reads: "local" },
};

export const pgRegionSwitchPinned: Scenario = {
  ...base,
  name: "pg-region-switch-pinned",
  layout:
    "single writer in us-east, async standby in eu-west; half the sessions switch region for a while; reads pinned by the session's token",
  expected: "no read-your-writes or monotonic-reads violations: the token moves with the session",
  expectedValid: true,
  routing: { writes: "primary", reads: "pinned" },
};
