/**
 * The PostgreSQL scenarios on the docker backend must give the verdicts they give on the local
 * backend: pg-async-replica (negative: nonlinearizable, read-your-writes; no lost writes) and
 * pg-failover (negative: lost-write, divergence). After each run, and after a Ctrl-C in the
 * middle of one, `docker ps -a` and `docker network ls` hold nothing of the run's.
 * Without Docker: skipped loudly locally, a failure under CI=true.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NEMESIS } from "../../checkers/history/op.ts";
import { pairOps } from "../../checkers/history/pairs.ts";
import { parseHistory } from "../../checkers/history/parse.ts";
import { dockerUnavailableReason } from "../../harness/backends/docker/docker-available.ts";
import { LABEL_RUN } from "../../harness/backends/docker/run-labels.ts";
import { DEFAULTS, validateConfig } from "../../harness/config.ts";
import { runTest } from "../../harness/run/runner.ts";
import { pgFailover } from "../../harness/scenarios/pg-failover.ts";
import { requirement } from "../support/requirements.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const reason = await dockerUnavailableReason();
const haveDocker = requirement("Docker", reason === undefined, reason ?? "");

const store = mkdtempSync(join(tmpdir(), "faultline-docker-it-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

/** Every faultline container / network the daemon still has for a run (by its run-id label). */
function leftovers(runId: string): string[] {
  const ps = execFileSync(
    "docker",
    ["ps", "-a", "--filter", `label=${LABEL_RUN}=${runId}`, "--format", "{{.Names}}"],
    {
      encoding: "utf8",
    },
  );
  const nets = execFileSync(
    "docker",
    ["network", "ls", "--filter", `label=${LABEL_RUN}=${runId}`, "--format", "{{.Name}}"],
    {
      encoding: "utf8",
    },
  );
  return [...ps.split("\n"), ...nets.split("\n")].filter(Boolean);
}

describe.skipIf(!haveDocker)("PostgreSQL scenarios on --backend docker", () => {
  it("pg-async-replica: nonlinearizable and read-your-writes, no lost writes, nothing left", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      name: "docker-async",
      scenario: "pg-async-replica",
      backend: "docker",
      seed: 12345,
      store,
      timeLimitS: 14,
      nemesisIntervalS: 4,
      faultDurationS: 3,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    expect(() => pairOps(history)).not.toThrow();
    const clientOps = history.filter((o) => o.process !== NEMESIS);
    expect(clientOps.filter((o) => o.type === "ok").length).toBeGreaterThan(200);

    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toEqual(expect.arrayContaining(["nonlinearizable", "read-your-writes"]));
    expect(results.anomalyTypes).not.toContain("lost-write");
    expect(results.checkers.divergence?.valid ?? true).toBe(true);
    // The containers' server logs were kept in the run folder.
    expect(readFileSync(join(outcome.folder.dir, "logs/pg-eu-west-1.log"), "utf8")).toMatch(
      /started streaming WAL/,
    );
    expect(leftovers(outcome.folder.dir)).toEqual([]);
  }, 240_000);

  it("pg-failover: lost-write and divergence, nothing left", async () => {
    const config = validateConfig({
      ...DEFAULTS,
      ...pgFailover.defaults,
      name: "docker-failover",
      scenario: "pg-failover",
      backend: "docker",
      seed: 7,
      store,
      timeLimitS: 10,
      faultDurationS: 5,
    });
    const outcome = await runTest(config, { phase: () => {}, log: () => {} });
    const history = parseHistory(readFileSync(outcome.folder.history, "utf8"), { fileName: "history.jsonl" });
    const starts = history.filter((o) => o.process === NEMESIS && o.phase === "start");
    expect(starts.map((o) => o.f)).toEqual(["partition", "failover"]);
    const results = outcome.results!;
    expect(results.valid).toBe(false);
    expect(results.anomalyTypes).toEqual(expect.arrayContaining(["lost-write", "divergence"]));
    expect(leftovers(outcome.folder.dir)).toEqual([]);
  }, 240_000);

  it("Ctrl-C in the middle of a run keeps the history and leaves no container or network", async () => {
    const child = spawn(
      process.execPath,
      [
        join(ROOT, "bin/faultline.mjs"),
        "run",
        "pg-async-replica",
        "--backend",
        "docker",
        "-t",
        "120",
        "--store",
        store,
        "--name",
        "docker-int",
        "--no-progress",
      ],
      { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
    );
    const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
    // Wait until operations are being recorded, then interrupt.
    const base = join(store, "docker-int");
    let dir: string | undefined;
    const deadline = Date.now() + 150_000;
    while (Date.now() < deadline && !dir) {
      if (existsSync(base)) {
        for (const d of readdirSync(base)) {
          const h = join(base, d, "history.jsonl");
          if (existsSync(h) && readFileSync(h, "utf8").split("\n").length > 50) dir = join(base, d);
        }
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(dir, "the run recorded operations").toBeDefined();
    expect(leftovers(dir!).length).toBeGreaterThan(0); // the run's containers exist while it runs
    child.kill("SIGINT");
    const code = await exited;
    expect(code).not.toBe(0);
    expect(parseHistory(readFileSync(join(dir!, "history.jsonl"), "utf8")).length).toBeGreaterThan(50);
    expect(leftovers(dir!)).toEqual([]);
  }, 240_000);
});
