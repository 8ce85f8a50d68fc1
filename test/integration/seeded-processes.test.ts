/**
 * The same seed gives every process the same operations, whatever the interleaving: each process
 * draws from its own seeded stream (harness/client-loop.ts), so two runs of pg-async-replica with
 * `--seed 9 --nemesis none` invoke, per process, the same sequence of (f, value). Runs stop on a
 * timer, so one run's process may get a few more ops in than the other's: the shorter sequence
 * must be a prefix of the longer, and both long.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-seed-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

async function invokesByProcess(): Promise<Map<unknown, string[]>> {
  const config = validateConfig({
    ...DEFAULTS,
    name: "seeded",
    scenario: "pg-async-replica",
    seed: 9,
    store,
    timeLimitS: 6,
    nemesis: [],
  });
  const outcome = await runTest(config, { phase: () => {}, log: () => {} });
  const history = parseHistory(readFileSync(outcome.folder.history, "utf8"));
  const out = new Map<unknown, string[]>();
  for (const op of history) {
    if (op.type !== "invoke") continue;
    out.set(op.process, [...(out.get(op.process) ?? []), `${op.f} ${JSON.stringify(op.value)}`]);
  }
  return out;
}

describe("seeded operations per process", () => {
  it("two runs with one seed invoke the same operations on every process", async () => {
    const a = await invokesByProcess();
    const b = await invokesByProcess();
    expect(a.size).toBe(10); // 5 clients x 2 regions, none retired
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    for (const [process, opsA] of a) {
      const opsB = b.get(process)!;
      const n = Math.min(opsA.length, opsB.length);
      expect(n).toBeGreaterThan(20);
      expect(opsB.slice(0, n), `process ${process}`).toEqual(opsA.slice(0, n));
    }
  });
});
