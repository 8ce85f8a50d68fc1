/**
 * Every run says whether its verdict is what the scenario expects: a negative control that finds
 * nothing, or only some of what it must find, is a mismatch; so is an unknown verdict.
 */
import { describe, expect, it } from "vitest";
import { compareWithExpected } from "../../harness/cli/expectation.ts";
import { describeChange } from "../../harness/cli/replay-command.ts";

const negative = {
  name: "pg-failover",
  expectedValid: false,
  expectedAnomalies: ["lost-write", "divergence"],
};
const positive = { name: "pg-sync-replica", expectedValid: true };

describe("compareWithExpected", () => {
  it("a negative control that finds nothing does not match", () => {
    const e = compareWithExpected(negative, { valid: true, anomalyTypes: [] });
    expect(e.matches).toBe(false);
    expect(e.text).toMatch(
      /^NOT AS EXPECTED: pg-failover is a negative control \(must find lost-write, divergence\)/,
    );
  });

  it("a negative control must find every expected type", () => {
    const some = compareWithExpected(negative, { valid: false, anomalyTypes: ["lost-write"] });
    expect(some.matches).toBe(false);
    expect(some.missing).toEqual(["divergence"]);
    const all = compareWithExpected(negative, {
      valid: false,
      anomalyTypes: ["divergence", "lost-write", "stale-read"],
    });
    expect(all.matches).toBe(true);
    expect(all.text).toMatch(/^as expected/);
  });

  it("a positive control matches only when valid", () => {
    expect(compareWithExpected(positive, { valid: true, anomalyTypes: [] }).matches).toBe(true);
    expect(compareWithExpected(positive, { valid: false, anomalyTypes: ["stale-read"] }).matches).toBe(false);
    expect(compareWithExpected(positive, { valid: "unknown", anomalyTypes: [] }).matches).toBe(false);
  });
});

describe("replay's describeChange", () => {
  it("names the anomaly types that appeared and disappeared", () => {
    expect(describeChange(["stale-read"], ["lost-write", "stale-read"])).toMatch(/^now also lost-write/);
    expect(describeChange(["lost-write", "stale-read"], ["stale-read"])).toMatch(/^no longer lost-write/);
    expect(describeChange([], ["divergence"])).toMatch(/^now divergence/);
    expect(describeChange(["a"], ["a"])).toBeUndefined();
    expect(describeChange(undefined, ["a"])).toBeUndefined();
  });
});
