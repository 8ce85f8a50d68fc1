import { describe, expect, it } from "vitest";
import { checkDivergence } from "../../checkers/divergence.ts";

describe("divergence checker", () => {
  it("nodes holding the same state agree, whatever the key order of objects", () => {
    const r = checkDivergence({
      nodes: [
        { node: "a", state: { "1": [1, 2], "2": { x: 1, y: 2 } } },
        { node: "b", state: { "2": { y: 2, x: 1 }, "1": [1, 2] } },
      ],
    });
    expect(r.valid).toBe(true);
    expect(r.stats).toMatchObject({ keysCompared: 2, keysDiverged: 0 });
  });

  it("sets that differ are a divergence, explained by who lacks what", () => {
    const r = checkDivergence({
      nodes: [
        { node: "pg-us-east-1", state: { "0": [1, 2, 3] } },
        { node: "pg-eu-west-1", state: { "0": [1, 4] } },
      ],
    });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["divergence"]);
    const a = r.anomalies[0]!;
    expect(a).toMatchObject({ key: "0", states: { "pg-us-east-1": [1, 2, 3], "pg-eu-west-1": [1, 4] } });
    expect(a.explanation).toMatch(/pg-us-east-1 holds 3 element\(s\), 2 no other node has \(2, 3\), lacks 1/);
  });

  it("a key missing on one node differs from a value on another", () => {
    const r = checkDivergence({
      nodes: [
        { node: "a", state: { "7": 5 } },
        { node: "b", state: {} },
      ],
    });
    expect(r.anomalies.map((x) => x.key)).toEqual(["7"]);
    expect(r.anomalies[0]!.explanation).toMatch(/a = 5, b = null/);
  });

  it("compares only within groups", () => {
    const nodes = [
      { node: "a", state: { k: 1 } },
      { node: "b", state: { k: 1 } },
      { node: "c", state: { k: 2 } },
    ];
    expect(checkDivergence({ nodes, groups: [["a", "b"], ["c"]] }).valid).toBe(true);
    expect(checkDivergence({ nodes }).valid).toBe(false);
    expect(() => checkDivergence({ nodes, groups: [["a", "zz"]] })).toThrow(/node 'zz'/);
  });

  it("an unreadable node makes the verdict unknown, unless others already differ", () => {
    const down = { node: "c", error: "connection refused" };
    const same = checkDivergence({
      nodes: [{ node: "a", state: { k: 1 } }, { node: "b", state: { k: 1 } }, down],
    });
    expect(same).toMatchObject({ valid: "unknown", reason: expect.stringMatching(/c: connection refused/) });
    const differ = checkDivergence({
      nodes: [{ node: "a", state: { k: 1 } }, { node: "b", state: { k: 2 } }, down],
    });
    expect(differ.valid).toBe(false);
  });
});
