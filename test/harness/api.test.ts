/**
 * The programmatic API's edges, without starting a store: check() on files and on operations,
 * with the CLI's answers (no operations is unknown, a checker that does not apply throws), and
 * run() refusing what the CLI refuses with a FaultlineError carrying exit code 3.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { check, FaultlineError, run } from "../../harness/api.ts";

const histories = join(import.meta.dirname, "../fixtures/histories");

describe("programmatic check()", () => {
  it("checks a file and counts its anomalies", async () => {
    const r = await check(join(histories, "register-bad.jsonl"), { model: "register" });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(["nonlinearizable"]);
    expect(r.anomalyCount).toBe(1);
  });

  it("checks operations handed over directly; initial is a value, not JSON text", async () => {
    const ops = [
      { index: 0, type: "invoke", process: 0, f: "read", value: null },
      { index: 1, type: "ok", process: 0, f: "read", value: 5 },
    ] as const;
    expect((await check([...ops], { model: "register", initial: 5 })).valid).toBe(true);
    expect((await check([...ops], { model: "register", initial: 0 })).valid).toBe(false);
  });

  it("an empty history is unknown, a checker that does not apply throws", async () => {
    const empty = await check([]);
    expect(empty.valid).toBe("unknown");
    await expect(check(join(histories, "set-good.jsonl"), { checker: "session" })).rejects.toThrow(/f 'add'/);
  });
});

describe("programmatic run()", () => {
  it("refuses an unknown scenario and an unusable store with exit code 3", async () => {
    await expect(run("pg-nonexistent")).rejects.toMatchObject({ name: "FaultlineError", exitCode: 3 });
    const err = await run("pg-async-replica", { store: "/proc/nope", timeLimit: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(FaultlineError);
    expect(err.message).toMatch(/store directory/);
  });
});
