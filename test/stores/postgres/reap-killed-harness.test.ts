/**
 * A harness killed with SIGKILL runs no cleanup: its PostgreSQL keeps running. The next run's
 * reapLeftovers() must find it through the pid files and stop it, and remove its data dir.
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
let child: ChildProcess | undefined;

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
    proc.once("exit", (code) => reject(new Error(`harness child exited (${code}); stderr: ${err}`)));
  });
}

it("stops the postgres of a SIGKILLed harness and removes its temp dirs", async () => {
  const script = join(import.meta.dirname, "fixtures", "start-node-and-wait.ts");
  child = spawn(process.execPath, ["--import", "tsx", script, join(work, "run"), name], {
    env: { ...process.env, FAULTLINE_PID_DIR: pidDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
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
