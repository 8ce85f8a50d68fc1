/**
 * The same seed gives the same fault schedule, and the faults happen: the history holds partition
 * and clock nemesis ops. `faultline replay` runs the test again with that schedule and prints both
 * verdicts side by side.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { findLibfaketime } from "../../harness/clock/faketime.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { planRun, runTest } from "../../harness/run/runner.ts";
import { requirement } from "../support/requirements.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.mjs");
const store = mkdtempSync(join(tmpdir(), "faultline-replay-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));
const quiet = { phase: () => {}, log: () => {} };

const scheduleOf = (dir: string) => JSON.parse(readFileSync(join(dir, "test.json"), "utf8")).schedule;

function nemesisOps(dir: string) {
  return parseHistory(readFileSync(join(dir, "history.jsonl"), "utf8")).filter((o) => o.process === NEMESIS);
}

describe.runIf(requirement("libfaketime", !!findLibfaketime(), "apt-get install libfaketime"))(
  "seeded schedules and replay",
  () => {
    it("--seed 5 --nemesis partition,clock: the same schedule every time, faults in the history, replay repeats it", async () => {
      const config = validateConfig({
        ...DEFAULTS,
        name: "seed5",
        scenario: "pg-async-replica",
        seed: 5,
        store,
        nemesis: ["partition", "clock"],
        timeLimitS: 12,
        nemesisIntervalS: 2.5,
        faultDurationS: 2,
        rate: 50,
      });
      // Planning is a pure function of the config: same seed, same schedule; another seed, another.
      const planned = planRun(config).schedule;
      expect(planRun(config).schedule).toEqual(planned);
      expect(planRun({ ...config, seed: 6 }).schedule).not.toEqual(planned);
      expect(new Set(planned.map((f) => f.spec.kind))).toEqual(new Set(["partition", "clock"]));

      const first = await runTest(config, quiet);
      expect(scheduleOf(first.folder.dir)).toEqual(JSON.parse(JSON.stringify(planned)));

      const replay = spawnSync(process.execPath, [bin, "replay", first.folder.dir, "--no-progress"], {
        encoding: "utf8",
        timeout: 180_000,
      });
      expect(replay.status, replay.stderr).toBe(1); // both runs find the standby's stale reads
      // Both verdicts side by side, on stdout.
      expect(replay.stdout).toMatch(/original\s+replay/);
      expect(replay.stdout).toMatch(/verdict\s+invalid\s+invalid/);
      const runs = readdirSync(join(store, "seed5")).sort();
      expect(runs.length).toBe(2);
      const second = join(store, "seed5", runs[1]);
      expect(scheduleOf(second)).toEqual(scheduleOf(first.folder.dir));

      for (const dir of [first.folder.dir, second]) {
        const ops = nemesisOps(dir);
        for (const f of ["partition", "clock"]) {
          const starts = ops.filter((o) => o.f === f && o.phase === "start");
          expect(starts.length, `${f} starts in ${dir}`).toBeGreaterThan(0);
          // The fault took effect: no error on its start.
          expect(
            starts.every((o) => o.error === undefined),
            JSON.stringify(starts),
          ).toBe(true);
        }
      }
    }, 300_000);
  },
);
