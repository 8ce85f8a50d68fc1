/**
 * `faultline check` answers only about what it checked: no "valid" for an empty history or for a
 * checker that does not apply; a run folder is checked with the run's own checkers (an
 * interrupted run gets its results and report); `--out` keeps one result per input.
 */
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "../..");
const bin = join(root, "bin/faultline.mjs");
const histories = join(root, "test/fixtures/histories");
const runFixture = join(root, "test/fixtures/reports/register-stale-reads");
const tmp = mkdtempSync(join(tmpdir(), "faultline-check-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function faultline(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", cwd: tmp, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("faultline check", () => {
  it("says 'no operations' and exits non-zero for an empty history", () => {
    writeFileSync(join(tmp, "empty.json"), "[]\n");
    writeFileSync(join(tmp, "empty.jsonl"), "");
    const r = faultline("check", join(tmp, "empty.json"), join(tmp, "empty.jsonl"));
    expect(r.code).toBe(2);
    expect(r.stdout).not.toMatch(/\tvalid/);
    expect(r.stdout.match(/no operations/g)).toHaveLength(2);
  });

  it("refuses the session checker on a set history", () => {
    const r = faultline("check", "--checker", "session", join(histories, "set-bad.jsonl"));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/session checker: the op at line \d+ has f 'add'/);
  });

  it("refuses an Elle checker on a history without transactions", () => {
    const r = faultline("check", "--checker", "elle-list-append", join(histories, "register-bad.jsonl"));
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /elle-list-append checks transactions \(f "txn"\); this history has only "write", "read"/,
    );
  });

  it("gives the number of anomalies, not only the first", () => {
    const r = faultline("check", runFixture, "--json");
    const out = JSON.parse(r.stdout.trim());
    const text = faultline("check", runFixture);
    expect(out.anomalyCount).toBeGreaterThan(1);
    expect(text.stdout).toContain(`\tinvalid\t${out.anomalyCount} anomalies\t`);
  });

  it("checks an interrupted run folder with the run's checkers and writes its results and report", () => {
    const dir = join(tmp, "store", "pg-async-replica", "20261130T100000.000Z");
    mkdirSync(dir, { recursive: true });
    cpSync(runFixture, dir, { recursive: true });
    for (const f of ["results.json", "report.html", "junit.xml", "summary.md"])
      rmSync(join(dir, f), { force: true });
    const r = faultline("check", dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\tinvalid\t/);
    const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8"));
    // The scenario's checkers (linearizable and session), not just the default one.
    expect(Object.keys(results.checkers).length).toBeGreaterThan(1);
    expect(results.anomalyTypes).toContain("nonlinearizable");
    expect(existsSync(join(dir, "report.html"))).toBe(true);
  });

  it("a run folder killed mid-write (a torn last line) is still checked", () => {
    const dir = join(tmp, "store", "pg-async-replica", "20261130T110000.000Z");
    mkdirSync(dir, { recursive: true });
    cpSync(runFixture, dir, { recursive: true });
    rmSync(join(dir, "results.json"));
    writeFileSync(
      join(dir, "history.jsonl"),
      `${readFileSync(join(dir, "history.jsonl"), "utf8")}{"index":9999,"type":"inv`,
    );
    const r = faultline("check", dir);
    expect(r.stderr).toMatch(/ignoring a torn last line/);
    expect(r.code).toBe(1);
    expect(existsSync(join(dir, "results.json"))).toBe(true);
  });

  it("--out keeps one result and one report per input, even when both are history.jsonl", () => {
    for (const [name, fixture] of [
      ["a", "register-bad.jsonl"],
      ["b", "cas-register-good.jsonl"],
    ]) {
      mkdirSync(join(tmp, name), { recursive: true });
      cpSync(join(histories, fixture), join(tmp, name, "history.jsonl"));
    }
    const out = join(tmp, "out");
    const r = faultline("check", join(tmp, "a/history.jsonl"), join(tmp, "b/history.jsonl"), "--out", out);
    expect(r.code).toBe(1);
    const dirs = r.stderr.match(/wrote results\.json and report\.html in (\S+)/g) ?? [];
    expect(dirs).toHaveLength(2);
    const written = dirs.map((d) => d.split(" in ")[1]);
    expect(new Set(written).size).toBe(2);
    const verdicts = written.map((d) => JSON.parse(readFileSync(join(d, "results.json"), "utf8")).valid);
    expect(verdicts.sort()).toEqual([false, true]);
    for (const d of written) expect(readFileSync(join(d, "report.html"), "utf8")).toMatch(/<html/);
  });
});
