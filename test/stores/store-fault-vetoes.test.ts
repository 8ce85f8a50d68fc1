/**
 * Faults a store refuses, found by nemesis name (alias, variant) or in the planned or replayed
 * schedule; and etcd's prefix ranges (the set workload's reads) end right after the prefix.
 */
import { describe, expect, it } from "vitest";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { b64, prefixEnd } from "../../harness/stores/etcd/gateway-client.ts";
import type { StorePlan } from "../../harness/stores/store-driver.ts";
import {
  asksFor,
  packetPartitionVeto,
  refusedFaultProblems,
} from "../../harness/stores/store-fault-vetoes.ts";

const plan = (over: Record<string, unknown>, schedule?: StorePlan["schedule"]): StorePlan =>
  ({
    config: validateConfig({ ...DEFAULTS, name: "x", scenario: "etcd-3-region", seed: 1, ...over }),
    schedule,
  }) as StorePlan;

describe("store fault vetoes", () => {
  it("finds a fault kind by name, alias, variant or schedule, and nothing else", () => {
    expect(asksFor(plan({ nemesis: ["clock"] }), "clock", ["skew"])).toBe(true);
    expect(asksFor(plan({ nemesis: ["skew"] }), "clock", ["skew"])).toBe(true);
    expect(asksFor(plan({ nemesis: ["kill", "clock-strobe"] }), "clock")).toBe(true);
    expect(asksFor(plan({ nemesis: ["kill", "pause"] }), "clock", ["skew"])).toBe(false);
    // "clockwork" is not a clock variant.
    expect(asksFor(plan({ nemesis: ["clockwork"] }), "clock")).toBe(false);
    const scheduled = [
      { atMs: 0, durationMs: 1, spec: { kind: "clock", action: "bump", node: "n", deltaMs: 5 } },
    ];
    expect(asksFor(plan({ nemesis: [] }, scheduled as StorePlan["schedule"]), "clock")).toBe(true);
  });

  it("says why, and what to do", () => {
    const refused = { clock: "a Go program" };
    expect(refusedFaultProblems(plan({ nemesis: ["clock"] }), "etcd", refused)).toEqual([
      "clock faults are refused for etcd: a Go program; drop the clock nemesis for this scenario",
    ]);
    // The registry's alias for clock counts too.
    expect(refusedFaultProblems(plan({ nemesis: ["skew"] }), "etcd", refused)).toHaveLength(1);
    expect(refusedFaultProblems(plan({ nemesis: ["kill"] }), "etcd", refused)).toEqual([]);
    expect(packetPartitionVeto(plan({ nemesis: ["partition-halves"], net: "proxy" }), "etcd")[0]).toMatch(
      /--net netns/,
    );
    expect(packetPartitionVeto(plan({ nemesis: ["partition-halves"], net: "netns" }), "etcd")).toEqual([]);
    expect(packetPartitionVeto(plan({ nemesis: ["kill"], net: "proxy" }), "etcd")).toEqual([]);
    // The docker backend cuts packets with iptables inside its containers: no --net netns there.
    const onDocker = { ...plan({ nemesis: ["partition-halves"], net: "proxy" }), backend: "docker" as const };
    expect(packetPartitionVeto(onDocker, "etcd")).toEqual([]);
    expect(packetPartitionVeto({ ...onDocker, backend: "local" }, "etcd")).toHaveLength(1);
  });
});

describe("etcd prefix ranges", () => {
  it("end at the prefix with its last byte incremented", () => {
    expect(Buffer.from(prefixEnd("s/1/"), "base64").toString()).toBe("s/10");
    expect(prefixEnd("r/")).toBe(b64("r0"));
  });
});
