import { describe, expect, it } from "vitest";
import { findCycles } from "../../checkers/elle/cycles.ts";
import { buildDigraph, EdgeList, PROCESS, REALTIME, RW, WR, WW } from "../../checkers/elle/graph.ts";
import { stronglyConnectedComponents } from "../../checkers/elle/scc.ts";

function graph(n: number, edges: [number, number, number][]) {
  const list = new EdgeList();
  for (const [a, b, k] of edges) list.add(a, b, k);
  return buildDigraph(n, list);
}

const types = (n: number, edges: [number, number, number][]) =>
  findCycles(graph(n, edges), { deadline: Date.now() + 10_000 })
    .cycles.map((c) => c.type)
    .sort();

describe("elle cycle search on hand-made graphs", () => {
  it("merges parallel edges into one with both kinds", () => {
    const g = graph(2, [
      [0, 1, WW],
      [0, 1, RW],
      [1, 0, WR],
    ]);
    expect(g.targets.length).toBe(2);
    expect(g.kinds[0]).toBe(WW | RW);
  });

  it("finds no cycle in a DAG", () => {
    expect(
      types(4, [
        [0, 1, WW],
        [1, 2, RW],
        [0, 2, WR],
        [2, 3, REALTIME],
      ]),
    ).toEqual([]);
  });

  it("names each class by its edges", () => {
    expect(
      types(4, [
        [0, 1, WW],
        [1, 0, WW],
        [2, 3, WR],
        [3, 2, WW],
      ]),
    ).toEqual(["G0", "G1c"]);
    expect(
      types(4, [
        [0, 1, RW],
        [1, 2, REALTIME],
        [2, 3, RW],
        [3, 0, REALTIME],
      ]),
    ).toEqual(["G-nonadjacent-realtime"]);
    expect(
      types(3, [
        [0, 1, RW],
        [1, 2, RW],
        [2, 0, PROCESS],
      ]),
    ).toEqual(["G2-item-process"]);
  });

  it("prefers the weaker edges inside one component, and skips implied classes", () => {
    // 0 <-> 1 by ww both ways (G0), plus an rw edge: G0 implies G1c, so no G1c is reported.
    const t = types(2, [
      [0, 1, WW | RW],
      [1, 0, WW | WR],
    ]);
    expect(t).toContain("G0");
    expect(t).not.toContain("G1c");
  });

  it("handles a 200k-transaction cycle without recursion", () => {
    const n = 200_000;
    const edges: [number, number, number][] = [];
    for (let i = 0; i < n; i++) edges.push([i, (i + 1) % n, WW]);
    const g = graph(n, edges);
    expect(stronglyConnectedComponents(g, WW).map((c) => c.length)).toEqual([n]);
    const r = findCycles(g, { deadline: Date.now() + 30_000 });
    expect(r.cycles.map((c) => c.type)).toEqual(["G0"]);
    expect(r.cycles[0].nodes.length).toBe(n);
  });
});
