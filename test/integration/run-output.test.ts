/**
 * A real run, as a CI job sees it: the verdict and whether it is what the scenario expects go to
 * stdout (so `faultline run > run.log` keeps them), progress and logs to stderr; with
 * --expect-match a negative control that finds nothing exits 1. pg-failover with no faults is
 * exactly that negative control.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const bin = join(import.meta.dirname, "../../bin/faultline.mjs");
const tmp = mkdtempSync(join(tmpdir(), "faultline-run-out-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe("faultline run output", () => {
  it("prints the verdict and the expectation on stdout; --expect-match fails a negative control that found nothing", () => {
    const r = spawnSync(
      process.execPath,
      [
        bin,
        "run",
        "pg-failover",
        "--nemesis",
        "none",
        "-t",
        "3",
        "--store",
        join(tmp, "store"),
        "--expect-match",
      ],
      { encoding: "utf8", cwd: tmp, timeout: 120_000 },
    );
    // The verdict is the first line of stdout (`| head -1` gets it).
    expect(r.stdout.split("\n")[0]).toBe("VALID: no anomalies found");
    expect(r.stdout).toMatch(
      /NOT AS EXPECTED: pg-failover is a negative control \(must find lost-write, divergence\)/,
    );
    expect(r.stdout).toMatch(/report: .*report\.html/);
    // Progress and logs stay on stderr.
    expect(r.stderr).toMatch(/faultline: pg-failover, seed \d+/);
    expect(r.stdout).not.toMatch(/faultline: pg-failover, seed/);
    expect(r.status).toBe(1);
    // The run folder's results and report say it too.
    const report = join(tmp, r.stdout.match(/report: (\S+)/)![1]);
    const results = JSON.parse(readFileSync(join(dirname(report), "results.json"), "utf8"));
    expect(results.expectation).toMatchObject({ matches: false });
    expect(readFileSync(report, "utf8")).toMatch(/NOT AS EXPECTED/);
  }, 150_000);
});
