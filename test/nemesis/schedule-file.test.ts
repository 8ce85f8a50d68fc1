import { describe, expect, it } from "vitest";
import { planSchedule } from "../../harness/nemesis/schedule.ts";
import { parseSchedule } from "../../harness/nemesis/spec-schema.ts";
import { peerTopology, primaryReplicaTopology } from "./fixtures.ts";

const pg = primaryReplicaTopology(["us-east", "eu-west"]);
const env = { libfaketime: "/x" };

describe("parseSchedule (test.json -> schedule)", () => {
  it("accepts every schedule planSchedule makes, unchanged", () => {
    for (const [topology, nemeses] of [
      [pg, ["partition", "latency", "bandwidth", "clock", "kill", "pause", "failover"]],
      [peerTopology(["a", "b", "c"], 2), ["partition", "latency", "clock", "kill", "pause"]],
    ] as const) {
      for (let seed = 0; seed < 20; seed++) {
        const s = planSchedule({ seed, nemeses, intervalMs: 2000, timeLimitMs: 60_000, topology, env });
        expect(parseSchedule(JSON.parse(JSON.stringify(s)), topology)).toEqual(s);
      }
    }
  });

  it("names the entry and the field that is wrong", () => {
    expect(() => parseSchedule([{ atMs: 0, durationMs: 1, spec: { kind: "kil", node: "x" } }], pg)).toThrow(
      /schedule\[0\]\.spec\.kind/,
    );
    expect(() =>
      parseSchedule([{ atMs: -1, durationMs: 1, spec: { kind: "kill", node: "pg-us-east-1" } }], pg),
    ).toThrow(/schedule\[0\]\.atMs/);
    expect(() =>
      parseSchedule([{ atMs: 0, durationMs: 1, spec: { kind: "kill", node: "pg-mars-1" } }], pg),
    ).toThrow(/schedule\[0\]\.spec\.node: no node 'pg-mars-1'/);
    expect(() =>
      parseSchedule(
        [{ atMs: 0, durationMs: 1, spec: { kind: "partition", mechanism: "blackhole", shape: "halves" } }],
        pg,
      ),
    ).toThrow(/'halves' needs order/);
    expect(() =>
      parseSchedule(
        [
          {
            atMs: 0,
            durationMs: 1,
            spec: {
              kind: "partition",
              mechanism: "blackhole",
              shape: "majorities-ring",
              order: ["pg-us-east-1", "pg-eu-west-1"],
            },
          },
        ],
        pg,
      ),
    ).toThrow(/needs at least 3 nodes/);
  });
});
