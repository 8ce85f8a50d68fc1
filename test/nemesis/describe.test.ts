import { describe, expect, it } from "vitest";
import { describeFault, describeSchedule } from "../../harness/nemesis/describe.ts";

describe("describeFault", () => {
  it("says what each planned fault will do", () => {
    expect(
      describeFault({
        kind: "partition",
        shape: "isolate-region",
        region: "eu-west",
        mechanism: "blackhole",
      }),
    ).toBe("partition: isolate eu-west (blackhole)");
    expect(describeFault({ kind: "clock", action: "bump", node: "pg-eu-west-1", deltaMs: 12_000 })).toBe(
      "clock pg-eu-west-1 +12s",
    );
    expect(describeFault({ kind: "clock", action: "bump", node: "n", deltaMs: -1500 })).toBe("clock n -1.5s");
    expect(
      describeSchedule([{ atMs: 12_000, durationMs: 4000, spec: { kind: "kill", node: "n1" } }]),
    ).toEqual(["  12.0s-16.0s   kill n1"]);
  });
});
