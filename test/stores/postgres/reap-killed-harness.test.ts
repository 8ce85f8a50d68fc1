/**
 * A harness killed with SIGKILL runs no cleanup: its PostgreSQL keeps running. The next run's
 * reapLeftovers() must find it through the pid files and stop it, and remove its data dir.
 * A harness that exits through process.exit cleans up synchronously in its exit handler.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { isAlive, readProcStat } from "../../../harness/backends/local/proc-stat.ts";
import { descendantsOf } from "../../../harness/backends/local/process-tree.ts";
import { reapLeftovers } from "../../../harness/backends/local/reap.ts";
import { processesMatching } from "./process-scan.ts";

const work = mkdtempSync(join(tmpdir(), "faultline-reap-test-"));
const pidDir = join(work, "pids");
const name = `pg-reap-${randomBytes(3).toString("hex")}`;
const script = join(import.meta.dirname, "fixtures", "start-node-and-wait.ts");
let child: ChildProcess | undefined;

function startHarness(nodeName: string, mode: "wait" | "exit"): ChildProcess {
  return spawn(process.execPath, ["--import", "tsx", script, join(work, "run"), nodeName, mode], {
    env: { ...process.env, FAULTLINE_PID_DIR: pidDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
}

afterAll(async () => {
  child?.kill("SIGKILL");
  await reapLeftovers(pidDir); // in case an assertion failed half-way
  rmSync(work, { recursive: true, force: true });
});

function firstLine(proc: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`no output in ${timeoutMs} ms; stderr: ${err}`)),
      timeoutMs,
    );
    proc.stderr?.on("data", (d) => {
      err += d;
    });
    proc.stdout?.on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    // "close", not "exit": stdout may still hold the line when the process has exited.
    proc.once("close", (code) => reject(new Error(`harness child exited (${code}); stderr: ${err}`)));
  });
}

it("stops the postgres of a SIGKILLed harness and removes its temp dirs", async () => {
  child = startHarness(name, "wait");
  const started = JSON.parse(await firstLine(child, 60_000)) as { pid: number; workDir: string };
  const postmaster = readProcStat(started.pid)!;
  const tree = [postmaster, ...descendantsOf(started.pid)];
  expect(tree.length).toBeGreaterThan(3);
  expect(existsSync(started.workDir)).toBe(true);

  // Nothing to reap while the harness lives.
  expect(await reapLeftovers(pidDir)).toEqual({ killed: 0, removedDirs: 0 });
  expect(isAlive(postmaster.pid, postmaster.startTime)).toBe(true);

  const exited = new Promise((r) => child!.once("exit", r));
  child.kill("SIGKILL");
  await exited;
  await new Promise((r) => setTimeout(r, 300));
  expect(isAlive(postmaster.pid, postmaster.startTime)).toBe(true); // orphaned, still serving

  expect(await reapLeftovers(pidDir)).toEqual({ killed: 1, removedDirs: 1 });
  expect(tree.filter((p) => isAlive(p.pid, p.startTime))).toEqual([]);
  expect(processesMatching(name)).toEqual([]);
  expect(existsSync(started.workDir)).toBe(false);
  expect(await reapLeftovers(pidDir)).toEqual({ killed: 0, removedDirs: 0 });
});

it("a harness that exits through process.exit kills its servers in the exit handler (killAllSync)", async () => {
  const exitName = `${name}-exit`;
  const harness = startHarness(exitName, "exit");
  const exited = new Promise<number | null>((r) => harness.once("exit", (code) => r(code)));
  const started = JSON.parse(await firstLine(harness, 60_000)) as { pid: number; workDir: string };
  expect(await exited).toBe(0);
  // killAllSync waited for the tree to die and removed the data dir before the process ended.
  expect(readProcStat(started.pid)?.state ?? "gone").toMatch(/gone|Z/);
  expect(processesMatching(exitName)).toEqual([]);
  expect(existsSync(started.workDir)).toBe(false);
  expect(await reapLeftovers(pidDir)).toEqual({ killed: 0, removedDirs: 0 });
});
