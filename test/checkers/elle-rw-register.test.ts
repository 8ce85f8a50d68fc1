import { describe, expect, it } from "vitest";
import { ElleInputError, type ElleResult, elleRwRegisterChecker } from "../../checkers/elle/index.ts";
import type { History } from "../../checkers/history/op.ts";
import { concurrent, HistoryBuilder, planted as plantedIn } from "./elle-history.ts";

async function check(h: History, consistencyModel = "strict-serializable"): Promise<ElleResult> {
  return (await elleRwRegisterChecker.check(h, { consistencyModel })) as ElleResult;
}

const planted = (plant: (h: HistoryBuilder) => void): History => plantedIn("rw-register", 11, plant);

describe("elle rw-register: planted anomalies are named", () => {
  const cases: [string, (h: HistoryBuilder) => void][] = [
    [
      "G1c",
      (h) =>
        concurrent(h, [
          [
            101,
            [
              ["w", "x", 1],
              ["r", "y", 1],
            ],
          ],
          [
            102,
            [
              ["w", "y", 1],
              ["r", "x", 1],
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
              ["w", "x", 1],
              ["w", "y", 1],
            ],
          ],
          [
            102,
            [
              ["r", "x", null],
              ["r", "y", 1],
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
              ["r", "x", null],
              ["w", "y", 1],
            ],
          ],
          [
            102,
            [
              ["r", "y", null],
              ["w", "x", 1],
            ],
          ],
        ]),
    ],
    [
      "G-single-realtime",
      (h) => {
        h.txn(101, [["w", "x", 1]]);
        h.txn(102, [["r", "x", null]]);
      },
    ],
    [
      "G1a",
      (h) => {
        h.invoke(101, [["w", "x", 1]]).fail(101);
        h.txn(102, [["r", "x", 1]]);
      },
    ],
    [
      "G1b",
      (h) => {
        h.txn(101, [
          ["w", "x", 1],
          ["w", "x", 2],
        ]);
        h.txn(102, [["r", "x", 1]]);
      },
    ],
    [
      "internal",
      (h) =>
        h.txn(101, [
          ["w", "x", 1],
          ["r", "x", 2],
        ]),
    ],
    [
      "lost-update",
      (h) => {
        h.txn(100, [["w", "x", 1]]);
        concurrent(h, [
          [
            101,
            [
              ["r", "x", 1],
              ["w", "x", 2],
            ],
          ],
          [
            102,
            [
              ["r", "x", 1],
              ["w", "x", 3],
            ],
          ],
        ]);
      },
    ],
    ["garbage-read", (h) => h.txn(101, [["r", "x", 99]])],
    [
      "future-read",
      (h) =>
        h.txn(101, [
          ["r", "x", 5],
          ["w", "x", 5],
        ]),
    ],
    [
      "cyclic-versions",
      (h) =>
        concurrent(h, [
          [
            101,
            [
              ["r", "x", 1],
              ["w", "x", 2],
            ],
          ],
          [
            102,
            [
              ["r", "x", 2],
              ["w", "x", 1],
            ],
          ],
        ]),
    ],
  ];

  it("the background history alone is valid", async () => {
    const r = await check(planted(() => {}));
    expect(r.anomalyTypes).toEqual([]);
    expect(r.valid).toBe(true);
  });

  for (const [type, plant] of cases) {
    it(`finds ${type}`, async () => {
      const r = await check(planted(plant));
      expect(r.valid).toBe(false);
      expect(r.anomalyTypes).toContain(type);
    });
  }

  it("explains a wr edge in words", async () => {
    const r = await check(
      planted((h) =>
        concurrent(h, [
          [
            101,
            [
              ["w", "x", 1],
              ["r", "y", 1],
            ],
          ],
          [
            102,
            [
              ["w", "y", 1],
              ["r", "x", 1],
            ],
          ],
        ]),
      ),
    );
    const a = r.anomalies.find((x) => x.type === "G1c")!;
    expect(a.explanation).toMatch(/T[12] < T[12] because T[12] read [xy] = 1, which T[12] wrote/);
  });

  it("process order finds a stale read by the same process", async () => {
    const h = planted((b) => {
      b.txn(101, [["w", "x", 1]]);
      b.txn(101, [["r", "x", null]]);
    });
    const r = await check(h, "strong-session-serializable");
    expect(r.anomalyTypes).toContain("G-single-process");
  });

  it("linearizableKeys infers version order from real time", async () => {
    const h = planted((b) => {
      b.txn(101, [["w", "x", 1]]);
      concurrent(b, [
        [
          102,
          [
            ["w", "x", 2],
            ["w", "y", 1],
          ],
        ],
        [
          103,
          [
            ["r", "x", 1],
            ["r", "y", 1],
          ],
        ],
      ]);
    });
    const plain = (await elleRwRegisterChecker.check(h, { consistencyModel: "serializable" })) as ElleResult;
    expect(plain.valid).toBe(true);
    const opts = { consistencyModel: "serializable", linearizableKeys: true };
    const lin = (await elleRwRegisterChecker.check(h, opts)) as ElleResult;
    expect(lin.anomalyTypes).toContain("G-single");
    const seq = { consistencyModel: "serializable", sequentialKeys: true };
    expect(((await elleRwRegisterChecker.check(h, seq)) as ElleResult).valid).toBe(true);
  });

  it("sequentialKeys infers version order from each process's order", async () => {
    const h = planted((b) => {
      b.invoke(101, [["w", "x", 1]]).ok(101);
      b.invoke(103, [
        ["r", "x", null],
        ["r", "y", null],
      ]);
      b.invoke(101, [
        ["w", "x", 2],
        ["w", "y", 1],
      ]).ok(101);
      b.ok(103, [
        ["r", "x", 1],
        ["r", "y", 1],
      ]);
    });
    const plain = (await elleRwRegisterChecker.check(h, { consistencyModel: "serializable" })) as ElleResult;
    expect(plain.valid).toBe(true);
    const seq = { consistencyModel: "serializable", sequentialKeys: true };
    expect(((await elleRwRegisterChecker.check(h, seq)) as ElleResult).anomalyTypes).toContain("G-single");
  });

  it("a write without unique values names its line", async () => {
    const h = new HistoryBuilder()
      .txn(1, [["w", "x", 1]])
      .txn(2, [["w", "x", 1]])
      .build();
    await expect(check(h)).rejects.toThrow(ElleInputError);
    await expect(check(h)).rejects.toThrow(
      /^line 4: value 1 is written to key x more than once \(also at line 2\)/,
    );
  });

  it("a list read of a register names its line", async () => {
    const h = new HistoryBuilder()
      .txn(1, [["w", "x", 1]])
      .txn(2, [["r", "x", [1]]])
      .build();
    await expect(check(h)).rejects.toThrow(/^line 4: micro-op 1 reads key x as \[1\]/);
  });
});
