import { describe, expect, it } from "vitest";
import { ElleInputError, type ElleResult, elleListAppendChecker } from "../../checkers/elle/index.ts";
import type { History } from "../../checkers/history/op.ts";
import { concurrent, HistoryBuilder, planted as plantedIn } from "./elle-history.ts";

async function check(h: History, consistencyModel = "strict-serializable"): Promise<ElleResult> {
  return (await elleListAppendChecker.check(h, { consistencyModel })) as ElleResult;
}

const planted = (plant: (h: HistoryBuilder) => void): History => plantedIn("list-append", 7, plant);

describe("elle list-append: planted anomalies are named", () => {
  const cases: [string, (h: HistoryBuilder) => void][] = [
    [
      "G0",
      (h) => {
        concurrent(h, [
          [
            101,
            [
              ["append", "x", 1],
              ["append", "y", 1],
            ],
          ],
          [
            102,
            [
              ["append", "x", 2],
              ["append", "y", 2],
            ],
          ],
        ]);
        h.txn(103, [
          ["r", "x", [1, 2]],
          ["r", "y", [2, 1]],
        ]);
      },
    ],
    [
      "G1c",
      (h) =>
        concurrent(h, [
          [
            101,
            [
              ["append", "x", 1],
              ["r", "y", [1]],
            ],
          ],
          [
            102,
            [
              ["append", "y", 1],
              ["r", "x", [1]],
            ],
          ],
        ]),
    ],
    [
      "G-single",
      (h) =>
        concurrent(h, [
          [
            101,
            [
              ["append", "x", 1],
              ["append", "y", 1],
            ],
          ],
          [
            102,
            [
              ["r", "x", []],
              ["r", "y", [1]],
            ],
          ],
        ]),
    ],
    [
      "G-nonadjacent",
      (h) =>
        concurrent(h, [
          [
            101,
            [
              ["r", "a", []],
              ["r", "d", [1]],
            ],
          ],
          [
            102,
            [
              ["append", "a", 1],
              ["append", "b", 1],
            ],
          ],
          [
            103,
            [
              ["r", "b", [1]],
              ["r", "c", []],
            ],
          ],
          [
            104,
            [
              ["append", "c", 1],
              ["append", "d", 1],
            ],
          ],
        ]),
    ],
    [
      "G2-item",
      (h) =>
        concurrent(h, [
          [
            101,
            [
              ["append", "x", 1],
              ["r", "y", []],
            ],
          ],
          [
            102,
            [
              ["append", "y", 1],
              ["r", "x", []],
            ],
          ],
        ]),
    ],
    [
      "G-single-process",
      (h) => {
        h.txn(101, [["append", "x", 1]]);
        h.txn(101, [["r", "x", []]]);
        h.txn(102, [["r", "x", [1]]]);
      },
    ],
    [
      "G-single-realtime",
      (h) => {
        h.txn(101, [["append", "x", 1]]);
        h.txn(102, [["r", "x", []]]);
        h.txn(103, [["r", "x", [1]]]);
      },
    ],
    [
      "G0-process",
      (h) => {
        h.txn(101, [["append", "y", 1]]);
        h.txn(101, [["append", "y", 2]]);
        h.txn(102, [["r", "y", [2, 1]]]);
      },
    ],
    [
      "G0-realtime",
      (h) => {
        h.txn(101, [["append", "y", 1]]);
        h.txn(102, [["append", "y", 2]]);
        h.txn(103, [["r", "y", [2, 1]]]);
      },
    ],
    [
      "G1c-realtime",
      (h) => {
        h.txn(101, [["r", "y", [1]]]); // completed before the append it saw was invoked
        h.txn(102, [["append", "y", 1]]);
      },
    ],
    [
      "G1a",
      (h) => {
        h.invoke(101, [["append", "x", 1]]).fail(101);
        h.txn(102, [["r", "x", [1]]]);
      },
    ],
    [
      "G1b",
      (h) => {
        h.txn(101, [
          ["append", "x", 1],
          ["append", "x", 2],
        ]);
        h.txn(102, [["r", "x", [1]]]);
        h.txn(103, [["r", "x", [1, 2]]]);
      },
    ],
    [
      "internal",
      (h) =>
        h.txn(101, [
          ["append", "x", 1],
          ["r", "x", []],
        ]),
    ],
    [
      "duplicate-elements",
      (h) => {
        h.txn(101, [["append", "x", 1]]);
        h.txn(102, [["r", "x", [1, 1]]]);
      },
    ],
    [
      "incompatible-order",
      (h) => {
        concurrent(h, [
          [101, [["append", "x", 1]]],
          [102, [["append", "x", 2]]],
        ]);
        h.txn(103, [["r", "x", [1, 2]]]);
        h.txn(104, [["r", "x", [2]]]);
      },
    ],
    [
      "lost-update",
      (h) => {
        h.txn(100, [["append", "x", 1]]);
        concurrent(h, [
          [
            101,
            [
              ["r", "x", [1]],
              ["append", "x", 2],
            ],
          ],
          [
            102,
            [
              ["r", "x", [1]],
              ["append", "x", 3],
            ],
          ],
        ]);
        h.txn(103, [["r", "x", [1, 2, 3]]]);
      },
    ],
    [
      "dirty-update",
      (h) => {
        h.invoke(101, [["append", "x", 1]]).fail(101);
        h.txn(102, [["append", "x", 2]]);
        h.txn(103, [["r", "x", [1, 2]]]);
      },
    ],
    [
      "future-read",
      (h) =>
        h.txn(101, [
          ["r", "x", [1]],
          ["append", "x", 1],
        ]),
    ],
    ["garbage-read", (h) => h.txn(101, [["r", "x", [99]]])],
  ];

  it("the background history alone is valid", async () => {
    const r = await check(planted(() => {}));
    expect(r.valid).toBe(true);
    expect(r.anomalyTypes).toEqual([]);
  });

  for (const [type, plant] of cases) {
    it(`finds ${type}`, async () => {
      const r = await check(planted(plant));
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toContain(type);
      const a = r.anomalies.find((x) => x.type === type)!;
      expect(a.explanation.length).toBeGreaterThan(20);
      expect(a.ops!.length).toBeGreaterThan(0);
    });
  }

  it("explains a cycle edge by edge, with a drawable graph", async () => {
    const r = await check(
      planted((h) =>
        concurrent(h, [
          [
            101,
            [
              ["append", "x", 1],
              ["r", "y", []],
            ],
          ],
          [
            102,
            [
              ["append", "y", 1],
              ["r", "x", []],
            ],
          ],
        ]),
      ),
    );
    const a = r.anomalies.find((x) => x.type === "G2-item")!;
    const cycle = a.cycle as import("../../checkers/elle/explanation.ts").CycleExplanation;
    expect(cycle.graph.nodes.map((n) => n.id)).toEqual(["T1", "T2"]);
    expect(cycle.graph.edges.map((e) => e.kind)).toEqual(["rw", "rw"]);
    expect(cycle.graph.edges[0].text).toMatch(
      /^T1 < T2 because T1 read [xy] = \[\], which did not include T2's append of 1$/,
    );
    expect(cycle.text).toContain("a contradiction");
    expect(cycle.graph.nodes[0].line).toBeGreaterThan(600);
  });

  it("classifies a serializable but not strict-serializable history", async () => {
    const h = planted((b) => {
      b.txn(101, [["append", "x", 1]]);
      b.txn(102, [["r", "x", []]]); // invoked after T1 completed, yet misses its append
      b.txn(103, [["r", "x", [1]]]);
    });
    const strict = await check(h, "strict-serializable");
    expect(strict.valid).toBe(false);
    expect([...strict.not, ...strict.alsoNot]).toContain("strict-serializable");
    expect([...strict.not, ...strict.alsoNot]).not.toContain("serializable");
    expect([...strict.not, ...strict.alsoNot]).not.toContain("snapshot-isolation");
    const serializable = await check(h, "serializable");
    expect(serializable.valid).toBe(true);
    expect(serializable.anomalyTypes).toEqual([]);
  });

  it("write skew fails serializable but passes snapshot isolation", async () => {
    const h = planted((b) =>
      concurrent(b, [
        [
          101,
          [
            ["append", "x", 1],
            ["r", "y", []],
          ],
        ],
        [
          102,
          [
            ["append", "y", 1],
            ["r", "x", []],
          ],
        ],
      ]),
    );
    const si = await check(h, "snapshot-isolation");
    expect(si.valid).toBe(true);
    expect(si.allowedAnomalyTypes).toContain("G2-item");
    expect(si.not).toEqual(["repeatable-read"]);
    const ser = await check(h, "serializable");
    expect(ser.valid).toBe(false);
  });
});

describe("elle list-append: histories of completions only", () => {
  it("checks data dependencies without real-time order", async () => {
    const h = new HistoryBuilder();
    concurrent(h, [
      [
        1,
        [
          ["append", "x", 1],
          ["r", "y", []],
        ],
      ],
      [
        2,
        [
          ["append", "y", 1],
          ["r", "x", []],
        ],
      ],
    ]);
    h.txn(3, [["r", "x", [1]]]);
    const oks = h.build().filter((op) => op.type === "ok");
    const r = await check(oks);
    expect(r.anomalyTypes).toEqual(["G2-item"]);
    expect(r.stats?.txns).toBe(3);
  });
});

describe("elle list-append: malformed transactions", () => {
  async function errorOf(h: History): Promise<ElleInputError> {
    try {
      await check(h);
    } catch (e) {
      expect(e).toBeInstanceOf(ElleInputError);
      return e as ElleInputError;
    }
    throw new Error("expected an ElleInputError");
  }

  it("an unknown micro-op names its line", async () => {
    const h = new HistoryBuilder()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["incr", "x", 1]])
      .build();
    const e = await errorOf(h);
    expect(e.line).toBe(4); // the completion carrying the bad micro-op
    expect(e.message).toMatch(/^line 4: .*unknown function "incr"/);
  });

  it("a read of the wrong type names its line", async () => {
    const h = new HistoryBuilder()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["r", "x", 5]])
      .build();
    const e = await errorOf(h);
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/reads key x as 5/);
  });

  it("a value appended twice names both lines", async () => {
    const h = new HistoryBuilder()
      .txn(1, [["append", "x", 1]])
      .txn(2, [["append", "x", 1]])
      .build();
    const e = await errorOf(h);
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/appended to key x more than once \(also at line 2\)/);
  });

  it("rejects an unknown consistency model with the known ones", async () => {
    await expect(check([], "serialisable")).rejects.toThrow(
      /unknown consistency model 'serialisable'; models Elle can check: .*serializable/,
    );
  });
});
