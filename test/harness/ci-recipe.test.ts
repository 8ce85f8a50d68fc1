/**
 * The nightly CI recipe (examples/github-actions/nightly.yml) stays true to the CLI: every scenario
 * it runs exists and is built, every flag it passes is one `faultline run` accepts, it uploads the
 * run folders and publishes junit.xml, and the README links it.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildProgram } from "../../harness/cli/cli.ts";
import { findScenario } from "../../harness/scenarios/index.ts";

const root = join(import.meta.dirname, "../..");
const recipe = "examples/github-actions/nightly.yml";

interface Step {
  run?: string;
  uses?: string;
  with?: Record<string, unknown>;
}

describe("nightly CI recipe", () => {
  const wf = parse(readFileSync(join(root, recipe), "utf8"));
  const job = Object.values(wf.jobs)[0] as { strategy: { matrix: { scenario: string[] } }; steps: Step[] };

  it("runs on a nightly schedule", () => {
    expect(wf.on.schedule[0].cron).toMatch(/^\S+ \S+ \* \* \*$/);
  });

  it("runs built scenarios with flags faultline run accepts", () => {
    const scenarios = job.strategy.matrix.scenario;
    expect(scenarios.length).toBeGreaterThan(0);
    for (const s of scenarios) expect(() => findScenario(s)).not.toThrow();
    const runStep = job.steps.find((s) => s.run?.includes("faultline run"));
    expect(runStep).toBeDefined();
    const flags = [...runStep!.run!.matchAll(/(--[a-z-]+)/g)].map((m) => m[1]);
    const run = buildProgram(() => {}).commands.find((c) => c.name() === "run")!;
    const known = new Set(run.options.map((o) => o.long));
    for (const f of flags) expect(known, `faultline run has no ${f}`).toContain(f);
    expect(flags).toContain("--expect-match");
  });

  it("uploads the run folders and publishes junit.xml", () => {
    const upload = job.steps.find((s) => s.uses?.startsWith("actions/upload-artifact"));
    expect(String(upload?.with?.path)).toMatch(/^store\//);
    const junit = job.steps.find((s) => String(s.with?.report_paths ?? "").endsWith("junit.xml"));
    expect(junit).toBeDefined();
  });

  it("is linked from the README", () => {
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain(recipe);
  });
});
