/**
 * The same seed gives the same fault schedule, run after run, and the faults happen: the history
 * holds partition and clock nemesis ops. A replayed run reuses the recorded schedule as is.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { findLibfaketime } from "../../harness/clock/faketime.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { configOfRun } from "../../harness/replay-command.ts";
import { runTest } from "../../harness/runner.ts";
import { requirement } from "../support/requirements.ts";

const store = mkdtempSync(join(tmpdir(), "faultline-replay-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));
const quiet = { phase: () => {}, log: () => {} };

describe.runIf(requirement("libfaketime", !!findLibfaketime(), "apt-get install libfaketime"))(
  "seeded schedules",
  () => {
    it("run pg-async-replica --seed 5 --nemesis partition,clock twice: same schedule, both faults in both histories", async () => {
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
      const a = await runTest(config, quiet);
      const b = await runTest(config, quiet);
      const scheduleOf = (dir: string) => JSON.parse(readFileSync(join(dir, "test.json"), "utf8")).schedule;
      const sa = scheduleOf(a.folder.dir);
      expect(sa.length).toBeGreaterThanOrEqual(3);
      expect(scheduleOf(b.folder.dir)).toEqual(sa);
      const kinds = new Set(sa.map((f: { spec: { kind: string } }) => f.spec.kind));
      expect(kinds).toEqual(new Set(["partition", "clock"]));

      for (const run of [a, b]) {
        const nemesis = parseHistory(readFileSync(join(run.folder.dir, "history.jsonl"), "utf8")).filter(
          (o) => o.process === NEMESIS,
        );
        for (const f of ["partition", "clock"]) {
          const starts = nemesis.filter((o) => o.f === f && o.phase === "start");
          expect(starts.length, `${f} starts`).toBeGreaterThan(0);
          // The fault took effect: no error on its start.
          expect(
            starts.every((o) => o.error === undefined),
            JSON.stringify(starts),
          ).toBe(true);
        }
      }

      // replay reads the config back with its schedule, unchanged.
      const replayed = configOfRun(a.folder.dir);
      expect(replayed.seed).toBe(5);
      expect(replayed.schedule).toEqual(sa);
    }, 240_000);
  },
);
