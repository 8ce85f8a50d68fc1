/**
 * A run stopped with Ctrl-C (SIGINT) keeps a checkable history and leaves no server running;
 * a run killed outright (SIGKILL) leaves orphans that the next run's reaper stops.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parseHistory } from "../../checkers/history/parse.ts";
import { reapLeftovers } from "../../harness/backends/local/reap.ts";

const bin = join(import.meta.dirname, "../../bin/faultline.mjs");
const store = mkdtempSync(join(tmpdir(), "faultline-int-"));
afterAll(() => rmSync(store, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const alive = (pid: number) =>
  existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");

function startRun(name: string): ChildProcess {
  return spawn(
    process.execPath,
    [bin, "run", "--time-limit", "120", "--store", store, "--name", name, "--no-progress"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
}

/** Waits until the run's history holds at least `lines` lines; returns the run folder. */
async function waitForOps(name: string, lines: number, timeoutMs = 90_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const base = join(store, name);
    if (existsSync(base)) {
      for (const d of readdirSync(base)) {
        const h = join(base, d, "history.jsonl");
        if (existsSync(h) && readFileSync(h, "utf8").split("\n").length > lines) return join(base, d);
      }
    }
    await sleep(250);
  }
  throw new Error(`run ${name} recorded fewer than ${lines} ops within ${timeoutMs} ms`);
}

/** Postmaster pids, from the `[pid]` prefix of each node's log lines. */
function serverPids(dir: string): number[] {
  const pids = new Set<number>();
  for (const f of readdirSync(join(dir, "logs"))) {
    if (!f.startsWith("pg-")) continue;
    for (const m of readFileSync(join(dir, "logs", f), "utf8").matchAll(/^\S+ \S+ \S+ \[(\d+)\]/gm))
      pids.add(Number(m[1]));
  }
  return [...pids];
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))),
  );

describe("stopping a run", () => {
  it("on SIGINT: stops cleanly, exit 130, history checkable, no server left", async () => {
    const child = startRun("sigint");
    const done = exited(child);
    let stderr = "";
    let stdout = "";
    child.stderr!.on("data", (d) => (stderr += d));
    child.stdout!.on("data", (d) => (stdout += d));
    const dir = await waitForOps("sigint", 150);
    child.kill("SIGINT");
    const code = await done;
    expect(code, stderr).toBe(130);
    // The outcome is on stdout (progress and logs on stderr), with how to get results from it.
    expect(stdout).toMatch(/INTERRUPTED after \d+ ops; history kept/);
    expect(stdout).toMatch(/faultline check /);

    const history = parseHistory(readFileSync(join(dir, "history.jsonl"), "utf8"), {
      fileName: "history.jsonl",
    });
    expect(history.length).toBeGreaterThan(150);
    const check = spawnSync(process.execPath, [bin, "check", join(dir, "history.jsonl"), "--json"], {
      encoding: "utf8",
    });
    expect([0, 1]).toContain(check.status);
    expect(JSON.parse(check.stdout.trim().split("\n")[0]).file).toContain("history.jsonl");

    const pids = serverPids(dir);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    for (const pid of pids) expect(alive(pid), `postgres ${pid} still running`).toBe(false);
  }, 180_000);

  it("on SIGKILL: the servers are orphaned, and the next run's reaper stops them", async () => {
    const child = startRun("sigkill");
    const done = exited(child);
    const dir = await waitForOps("sigkill", 50);
    child.kill("SIGKILL");
    await done;
    const pids = serverPids(dir);
    expect(pids.length).toBeGreaterThanOrEqual(2);
    expect(pids.some(alive)).toBe(true);

    const reaped = await reapLeftovers();
    expect(reaped.killed).toBeGreaterThanOrEqual(2);
    await sleep(500);
    for (const pid of pids) expect(alive(pid), `postgres ${pid} still running`).toBe(false);
    // What was recorded before the kill is still a checkable history.
    expect(() => parseHistory(readFileSync(join(dir, "history.jsonl"), "utf8"))).not.toThrow();
  }, 180_000);
});
