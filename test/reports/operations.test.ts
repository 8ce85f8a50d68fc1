import { describe, expect, it } from "vitest";
import type { History, Op } from "../../checkers/history/op.ts";
import type { Results } from "../../checkers/verdict.ts";
import { align, downsample } from "../../reports/chart-data.ts";
import { indexOperations, intervalFor } from "../../reports/operations.ts";
import { verdictText } from "../../reports/verdict-text.ts";

const MS = 1_000_000;
let next = 0;
function op(o: Partial<Op> & Pick<Op, "type" | "process" | "f">): Op {
  return { index: next++, value: null, ...o } as Op;
}

describe("indexOperations", () => {
  it("pairs invokes with completions per process; an op never completed stays info", () => {
    next = 0;
    const h: History = [
      op({ type: "invoke", process: 0, f: "write", value: 1, time: 0, region: "us-east" }),
      op({ type: "invoke", process: 1, f: "read", time: 1 * MS, region: "eu-west" }),
      op({ type: "ok", process: 1, f: "read", value: 7, time: 3 * MS }),
      op({ type: "fail", process: 0, f: "write", value: 1, time: 4 * MS, error: "conflict" }),
      op({ type: "invoke", process: 2, f: "write", value: 2, time: 5 * MS }),
    ];
    const ix = indexOperations(h);
    expect(ix.intervals.map((i) => [i.process, i.type, i.value, i.invokeTime, i.completeTime])).toEqual([
      [0, "fail", 1, 0, 4 * MS],
      [1, "ok", 7, 1 * MS, 3 * MS],
      [2, "info", 2, 5 * MS, undefined],
    ]);
    expect(ix.intervals[0].error).toBe("conflict");
    expect(ix.intervals[1].region).toBe("eu-west");
    // Both the invoke's and the completion's index find the interval.
    expect(ix.byIndex.get(1)).toBe(ix.byIndex.get(2));
    // A LinOp (checkers/linearizability) is found by its id, the invoke's index.
    expect(intervalFor(ix, { id: 1, process: 1, f: "read", value: 7, outcome: "ok", start: 0, end: 1 })).toBe(
      ix.intervals[1],
    );
  });

  it("pairs nemesis starts with stops by fault index, so overlapping faults of one kind stay apart", () => {
    next = 0;
    const n = (phase: string, fault: number, t: number, value: string) =>
      op({ type: "info", process: "nemesis", f: "partition", phase, fault, value, time: t });
    const ix = indexOperations([
      n("start", 0, 1, "cut A"),
      n("start", 1, 2, "cut B"),
      n("stop", 0, 5, "healed A"),
      n("stop", 1, 9, "healed B"),
      n("start", 2, 10, "cut C"),
    ]);
    expect(ix.faults.map((w) => [w.value, w.start, w.stop])).toEqual([
      ["cut A", 1, 5],
      ["cut B", 2, 9],
      ["cut C", 10, undefined],
    ]);
  });

  it("falls back to Jepsen's conventions: start-/stop- names, :start/:stop, alternation; line order without times", () => {
    next = 0;
    const ix = indexOperations([
      op({ type: "info", process: "nemesis", f: "start-partition", value: "a" }),
      op({ type: "info", process: "nemesis", f: "stop-partition", value: "b" }),
      op({ type: "info", process: "nemesis", f: "start", value: "c" }),
      op({ type: "info", process: "nemesis", f: "stop", value: "d" }),
      op({ type: "info", process: "nemesis", f: "kill", value: "e" }),
      op({ type: "info", process: "nemesis", f: "kill", value: "f" }),
    ]);
    expect(ix.hasTimes).toBe(false);
    expect(ix.faults.map((w) => [w.f, w.start, w.stop])).toEqual([
      ["partition", 0, 1],
      ["fault", 2, 3],
      ["kill", 4, 5],
    ]);
  });
});

describe("verdictText", () => {
  const results = (checkers: Results["checkers"]): Results => ({
    valid: Object.values(checkers).some((c) => c.valid === false)
      ? false
      : Object.values(checkers).every((c) => c.valid === true)
        ? true
        : "unknown",
    anomalyTypes: [],
    checkers,
    signals: {},
  });

  it("says where and when, and owns up when only some fell inside a fault", () => {
    next = 0;
    const h: History = [
      op({
        type: "info",
        process: "nemesis",
        f: "partition",
        phase: "start",
        value: "cut replication",
        time: 10,
      }),
    ];
    const reads: Op[] = [];
    for (let i = 0; i < 4; i++) {
      h.push(op({ type: "invoke", process: i, f: "read", time: 20 + i, region: "eu-west" }));
      reads.push(op({ type: "ok", process: i, f: "read", value: 1, time: 30 + i, region: "eu-west" }));
      h.push(reads[i]);
    }
    h.push(
      op({ type: "info", process: "nemesis", f: "partition", phase: "stop", value: "healed", time: 32 }),
    );
    const r = results({
      s: {
        valid: false,
        anomalyTypes: ["stale-read"],
        anomalies: reads.map((o) => ({ type: "stale-read", explanation: "", ops: [o] })),
      },
    });
    expect(verdictText(r, indexOperations(h)).headline).toBe(
      "Anomalies found: 4 stale reads served by eu-west, 3 of them during partition “cut replication”",
    );
  });

  it("places an anomaly at the op that completed last, whatever the order of its ops", () => {
    next = 0;
    const h: History = [
      op({ type: "invoke", process: 1, f: "txn", time: 0, region: "us-east" }),
      op({ type: "fail", process: 1, f: "txn", time: 5, region: "us-east" }),
      op({
        type: "info",
        process: "nemesis",
        f: "kill",
        phase: "start",
        value: "killed pg-eu-west-1",
        time: 6,
      }),
      op({ type: "invoke", process: 2, f: "txn", time: 7, region: "eu-west" }),
      op({ type: "ok", process: 2, f: "txn", time: 9, region: "eu-west" }),
    ];
    // Elle lists the reader first and the aborted writer second.
    const r = results({
      elle: {
        valid: false,
        anomalyTypes: ["G1a"],
        anomalies: [{ type: "G1a", explanation: "", ops: [h[4], h[1]] }],
      },
    });
    expect(verdictText(r, indexOperations(h)).headline).toBe(
      "Anomalies found: 1 aborted read (G1a) in eu-west during kill “killed pg-eu-west-1”",
    );
  });

  it("leads with the session story when read-your-writes violations outnumber the rest", () => {
    next = 0;
    const h: History = [];
    const reads: Op[] = [];
    for (let i = 0; i < 3; i++) {
      h.push(op({ type: "invoke", process: i, f: "read", time: 20 + i, region: "eu-west" }));
      reads.push(op({ type: "ok", process: i, f: "read", value: 1, time: 30 + i, region: "eu-west" }));
      h.push(reads[i]);
    }
    const r = results({
      session: {
        valid: false,
        anomalyTypes: ["read-your-writes"],
        anomalies: reads.map((o) => ({ type: "read-your-writes", explanation: "", ops: [o] })),
      },
      linearizable: {
        valid: false,
        anomalyTypes: ["nonlinearizable"],
        anomalies: [{ type: "nonlinearizable", explanation: "", ops: [reads[0]] }],
      },
    });
    expect(verdictText(r, indexOperations(h)).headline).toMatch(
      /^Sessions did not read their own writes: 3 read-your-writes violations served by eu-west; also 1 /,
    );
  });

  it("counts what a checker counted but did not explain (Elle's count:<type>)", () => {
    const r = results({
      elle: {
        valid: false,
        anomalyTypes: ["G0"],
        anomalies: [{ type: "G0", explanation: "" }],
        stats: { "count:G0": 40 },
        consistencyModel: "serializable",
      },
    });
    expect(verdictText(r, indexOperations([])).headline).toBe("Not serializable: 40 G0 cycles");
  });

  it("gives the reason when no checker could decide", () => {
    const r = results({
      lin: { valid: "unknown", anomalyTypes: [], anomalies: [], reason: "time limit reached" },
    });
    expect(verdictText(r, indexOperations([])).headline).toBe(
      "Unknown: no anomaly found, but lin could not decide (time limit reached)",
    );
  });
});

describe("chart data", () => {
  it("keeps all points within budget, and the extremes of every bucket beyond it", () => {
    const pts: [number, number][] = Array.from({ length: 10_000 }, (_, i) => [i, i === 4321 ? 9999 : i % 10]);
    expect(downsample(pts.slice(0, 100), 200)).toHaveLength(100);
    const d = downsample(pts, 200);
    expect(d.length).toBeLessThanOrEqual(200);
    expect(d.some(([x, y]) => x === 4321 && y === 9999)).toBe(true);
  });

  it("aligns series on one x axis with nulls where a series has no point", () => {
    expect(
      align([
        [
          [1, 10],
          [3, 30],
        ],
        [
          [2, 20],
          [3, 31],
        ],
      ]),
    ).toEqual({
      x: [1, 2, 3],
      ys: [
        [10, null, 30],
        [null, 20, 31],
      ],
    });
  });
});
