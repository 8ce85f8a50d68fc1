import { describe, expect, it } from "vitest";
import {
  clientPhases,
  DONE,
  fromFn,
  type GenContext,
  limit,
  mix,
  perRegion,
  phases,
  rateLimit,
  simulate,
  sleep,
  stagger,
  timeLimit,
  values,
} from "../../harness/generator/generator.ts";
import { Prng } from "../../harness/generator/prng.ts";

const procs = (seed: number, n: number, regions = ["us-east", "eu-west"]) =>
  Array.from({ length: n }, (_, p) => ({
    process: p,
    region: regions[p % regions.length]!,
    rng: new Prng(seed).fork(`process-${p}`),
  }));

const ctx = (nowMs: number, process = 0): GenContext => ({
  nowMs,
  process,
  region: "us-east",
  rng: new Prng(1),
});

describe("generators", () => {
  it("limit and values run out", () => {
    const g = limit(
      3,
      fromFn(() => "x"),
    );
    expect(simulate(g, procs(1, 2), { opLatencyMs: 1, untilMs: 1000 }).length).toBe(3);
    const v = values([1, 2]);
    expect(v.next(ctx(0))).toEqual({ op: 1, atMs: 0 });
    expect(v.next(ctx(0))).toEqual({ op: 2, atMs: 0 });
    expect(v.next(ctx(0))).toBe(DONE);
  });

  it("mix draws from every generator, deterministically per seed", () => {
    const make = () => mix([fromFn(() => "read"), fromFn(() => "write")]);
    const a = simulate(limit(200, make()), procs(4, 3), { opLatencyMs: 5, untilMs: 10_000 });
    const b = simulate(limit(200, make()), procs(4, 3), { opLatencyMs: 5, untilMs: 10_000 });
    const c = simulate(limit(200, make()), procs(5, 3), { opLatencyMs: 5, untilMs: 10_000 });
    expect(a).toEqual(b);
    expect(a.map((o) => o.op)).not.toEqual(c.map((o) => o.op));
    const reads = a.filter((o) => o.op === "read").length;
    expect(reads).toBeGreaterThan(60);
    expect(reads).toBeLessThan(140);
  });

  it("rateLimit spaces ops over all processes; timeLimit stops them", () => {
    const g = timeLimit(
      1000,
      rateLimit(
        50,
        fromFn(() => "op"),
      ),
    );
    const ops = simulate(g, procs(1, 10), { opLatencyMs: 1, untilMs: 5000 });
    expect(ops.length).toBe(50);
    for (let i = 1; i < ops.length; i++) expect(ops[i]!.atMs - ops[i - 1]!.atMs).toBeCloseTo(20, 6);
    expect(ops.at(-1)!.atMs).toBeLessThan(1000);
  });

  it("stagger adds on average meanMs between a process's ops", () => {
    const ops = simulate(
      timeLimit(
        100_000,
        stagger(
          100,
          fromFn(() => 1),
        ),
      ),
      procs(2, 1),
      { opLatencyMs: 0, untilMs: 100_000 },
    );
    const mean = 100_000 / ops.length;
    expect(mean).toBeGreaterThan(85);
    expect(mean).toBeLessThan(115);
  });

  it("phases: workload, quiet, then one final read per process", () => {
    const g = clientPhases({
      workload: fromFn(() => "write"),
      rate: 100,
      warmupMs: 100,
      faultsMs: 800,
      healMs: 100,
      quiesceMs: 500,
      finalRead: () => "final-read",
    });
    const ops = simulate(g, procs(3, 4), { opLatencyMs: 2, untilMs: 10_000 });
    const writes = ops.filter((o) => o.op === "write");
    const finals = ops.filter((o) => o.op === "final-read");
    expect(writes.length).toBe(100);
    expect(finals.map((o) => o.process).sort()).toEqual([0, 1, 2, 3]);
    for (const f of finals) expect(f.atMs).toBeGreaterThanOrEqual(1500);
  });

  it("perRegion routes by region; sleep waits", () => {
    const g = perRegion({
      "us-east": limit(
        2,
        fromFn(() => "us"),
      ),
      "eu-west": phases(
        sleep(50),
        limit(
          1,
          fromFn(() => "eu"),
        ),
      ),
    });
    const ops = simulate(g, procs(1, 2), { opLatencyMs: 1, untilMs: 1000 });
    expect(ops.filter((o) => o.op === "us").every((o) => o.region === "us-east")).toBe(true);
    const eu = ops.filter((o) => o.op === "eu");
    expect(eu.length).toBe(1);
    expect(eu[0]!.atMs).toBeGreaterThanOrEqual(50);
  });
});
