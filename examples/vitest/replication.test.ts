/**
 * An example of faultline in a project's own test suite: run a short scenario against real
 * PostgreSQL and assert what it must find. pg-async-replica is a negative control: with reads on
 * an asynchronous replica and its replication cut, a session must be seen missing its own writes.
 * faultline's own `npm test` runs this file, so the example stays true.
 */
import { check, run } from "faultline";
import { describe, expect, it } from "vitest";

describe("PostgreSQL with an async replica in a second region", () => {
  it("loses read-your-writes when replication is cut", async () => {
    const r = await run("pg-async-replica", {
      timeLimit: 10,
      seed: 1,
      nemesisInterval: 4,
      faultDuration: 3,
      // Run folders (history, results.json, report.html) next to this file, for CI artifacts.
      store: new URL("./store", import.meta.url).pathname,
    });
    expect(r.valid).toBe(false);
    expect(r.anomalyTypes).toEqual(expect.arrayContaining(["nonlinearizable", "read-your-writes"]));
    // No acknowledged write is lost: the replica is behind, not diverged.
    expect(r.anomalyTypes).not.toContain("lost-write");
    expect(r.expectation.matches).toBe(true);

    // The run folder's history can be checked again, with any checker.
    const again = await check(r.dir, { checker: "session" });
    expect(again.anomalyTypes).toContain("read-your-writes");
    expect(again.anomalyCount).toBeGreaterThan(0);
  }, 180_000);
});
