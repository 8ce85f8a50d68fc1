import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { writeReports } from "../../reports/write.ts";
import { copyFixture, REGISTER } from "./fixtures.ts";

describe("writeReports", () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });
  function run(): string {
    const f = copyFixture(REGISTER);
    cleanups.push(f.cleanup);
    return f.dir;
  }

  it("writes report.html, junit.xml and summary.md into the run folder", async () => {
    const dir = run();
    const out = await writeReports(dir);
    expect(out).toEqual({
      html: join(dir, "report.html"),
      junit: join(dir, "junit.xml"),
      summary: join(dir, "summary.md"),
    });
    const html = readFileSync(out.html, "utf8");
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain("pg-async-replica/20261123T120000.000Z");
    expect(readFileSync(out.junit, "utf8")).toMatch(/^<\?xml /);
    expect(readFileSync(out.summary, "utf8")).toMatch(/^## ❌ faultline: pg-async-replica/);
  });

  it("works without metrics.jsonl (it is optional)", async () => {
    const dir = run();
    rmSync(join(dir, "metrics.jsonl"));
    const out = await writeReports(dir);
    expect(readFileSync(out.html, "utf8")).toContain("No replication lag was measured");
  });

  it("names the missing file", async () => {
    const dir = run();
    rmSync(join(dir, "results.json"));
    await expect(writeReports(dir)).rejects.toThrow(`${join(dir, "results.json")} is missing`);
    expect(existsSync(join(dir, "report.html"))).toBe(false);
  });

  it("names the broken file and line", async () => {
    const dir = run();
    const lines = readFileSync(join(dir, "history.jsonl"), "utf8").split("\n");
    lines[6] = "{not json";
    writeFileSync(join(dir, "history.jsonl"), lines.join("\n"));
    await expect(writeReports(dir)).rejects.toThrow(`${join(dir, "history.jsonl")}:7: not valid JSON`);
    writeFileSync(join(dir, "results.json"), '{"valid": true}');
    writeFileSync(join(dir, "history.jsonl"), "");
    await expect(writeReports(dir)).rejects.toThrow(
      /results\.json: expected \{"valid", "anomalyTypes", "checkers"/,
    );
  });

  it("tolerates a torn last line from a run killed mid-write", async () => {
    const dir = run();
    const text = readFileSync(join(dir, "history.jsonl"), "utf8");
    writeFileSync(join(dir, "history.jsonl"), `${text}{"index":99999,"type":"inv`);
    await expect(writeReports(dir)).resolves.toBeDefined();
  });
});
