/**
 * Sessions switching region mid-session on real PostgreSQL (primary in us-east, async standby in
 * eu-west), as stated controls in 20 s runs: with local reads, read-your-writes and monotonic-reads
 * violations that only the switch explains (a read served outside the session's home region, which
 * only a moved session does, inside a region-switch window); with pinned reads, none. The report
 * names the fault beside each anomaly. Run one at a time: heavy.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type History, NEMESIS, type Op } from "../../checkers/history/op.ts";
import { writeReports } from "../../reports/write.ts";
import { runScenario } from "../support/run-scenario.ts";

const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

const regionOfNode = (node: unknown) => (String(node).includes("eu-west") ? "eu-west" : "us-east");

/** [start, stop] times (ns) of every region-switch window. */
function windows(history: History): [number, number][] {
  const out: [number, number][] = [];
  let start: number | undefined;
  for (const o of history) {
    if (o.process !== NEMESIS || o.f !== "region-switch") continue;
    if (o.phase === "start") start = o.time;
    else if (o.phase === "stop" && start !== undefined) (out.push([start, o.time!]), (start = undefined));
  }
  return out;
}

describe("region switch mid-session", () => {
  it("local reads: read-your-writes and monotonic-reads violations by moved sessions", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-region-switch-local", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const r = outcome.results!;
    expect(r.anomalyTypes).toEqual(expect.arrayContaining(["read-your-writes", "monotonic-reads"]));
    const w = windows(history);
    expect(w.length).toBeGreaterThanOrEqual(3);
    // Reads served outside the session's home region happen only inside switch windows.
    const away = history.filter(
      (o) => o.process !== NEMESIS && o.f === "read" && o.type === "ok" && regionOfNode(o.node) !== o.region,
    );
    expect(away.length).toBeGreaterThan(0);
    const inWindow = (o: Op) => w.some(([a, b]) => o.time! >= a - 1e6 && o.time! <= b + 2_000e6);
    expect(away.every(inWindow)).toBe(true);
    // Every monotonic-reads violation, and every violation by a us-east session (which reads the
    // primary at home), involves such a read: the switch caused it.
    const anomalies = r.checkers.session!.anomalies;
    const caused = anomalies.filter(
      (a) => a.type === "monotonic-reads" || (a.ops![1] as Op).region === "us-east",
    );
    expect(caused.length).toBeGreaterThan(0);
    for (const a of caused)
      expect(a.ops!.some((o) => o.f === "read" && regionOfNode(o.node) !== o.region)).toBe(true);

    // The report puts the fault beside each anomaly.
    await writeReports(outcome.folder.dir);
    const html = readFileSync(join(outcome.folder.dir, "report.html"), "utf8");
    expect(html).toMatch(/region-switch/);
    expect(html).toMatch(/monotonic-reads/);
  }, 120_000);

  it("pinned reads: the token moves with the session, no session violations", async () => {
    const { outcome, history, cleanup } = await runScenario("pg-region-switch-pinned", { timeLimitS: 20 });
    cleanups.push(cleanup);
    const r = outcome.results!;
    expect(r.checkers.session!.valid).toBe(true);
    expect(r.valid).toBe(true);
    // Sessions did move: some reads were served by the other region's node.
    expect(
      history.some(
        (o) =>
          o.process !== NEMESIS && o.f === "read" && o.type === "ok" && regionOfNode(o.node) !== o.region,
      ),
    ).toBe(true);
  }, 120_000);
});
