/**
 * The process supervisor of the local backend: starts server processes (detached, logging to a
 * file, optionally as another user, with extra environment), records each in a pid file, and
 * stops them all: `stopAll()` on success, failure and SIGINT/SIGTERM; `killAllSync()` from
 * `process.on("exit")`, where nothing asynchronous runs any more. Whatever escapes both (the
 * harness was SIGKILLed) is found by `reapLeftovers()` on the next run.
 */
import { spawn } from "node:child_process";
import { closeSync, rmSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { isAbsolute, resolve } from "node:path";
import { openLogForAppend } from "./log-file.ts";
import { removeRecord, selfIdentity, writeRecord } from "./pid-registry.ts";
import { isAlive, readProcStat } from "./proc-stat.ts";
import { allGone, signalTree } from "./process-tree.ts";
import { existingRunAs, type RunAs } from "./run-as.ts";
import { SupervisedProcess } from "./supervised-process.ts";
import { removeDetachedSegments } from "./sysv-shm.ts";

export interface SpawnOptions {
  /** For messages and the pid file, e.g. the node name `pg-us-east-1`. */
  name: string;
  command: string;
  args: string[];
  /** stdout and stderr are appended here; we open it, so the server needs no access to it. */
  logFile: string;
  cwd?: string;
  /**
   * Extra environment (e.g. LD_PRELOAD/FAKETIME for clock faults). Servers do not inherit the
   * harness's environment: only PATH and a C locale, plus this, so PG*-style variables of the
   * user cannot change what a server does.
   */
  env?: Record<string, string>;
  /** Run as this user (see run-as.ts); undefined: as ourselves. */
  runAs?: RunAs;
  /** Run inside this network namespace (`ip netns` name; root only): entered with nsenter, which
   *  then becomes the server itself (same pid), as `runAs` when given. */
  netns?: string;
  /** Written to the process's stdin, which is then closed (default: no stdin). */
  stdin?: string;
  /** Graceful stop signal for the leader (PostgreSQL: SIGINT = fast shutdown). Default SIGTERM. */
  stopSignal?: NodeJS.Signals;
  /** How long a graceful stop may take before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
}

export interface StopAllResult {
  stopped: number;
  removedDirs: number;
  errors: string[];
}

const MIN_REMOVABLE_DEPTH = 3;

/** Refuses to `rm -rf` paths that are obviously not a temp dir of ours. */
export function assertRemovable(dir: string): void {
  const abs = resolve(dir);
  const forbidden = new Set(["/", resolve(tmpdir()), resolve(homedir()), "/var/tmp", "/tmp", process.cwd()]);
  if (
    !isAbsolute(dir) ||
    forbidden.has(abs) ||
    abs.split("/").filter(Boolean).length < MIN_REMOVABLE_DEPTH - 1
  ) {
    throw new Error(`refusing to remove ${dir}: not a temp directory faultline made`);
  }
}

export function removeDir(dir: string): boolean {
  assertRemovable(dir);
  rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  return true;
}

export function baseEnv(): Record<string, string> {
  return { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", LANG: "C", LC_ALL: "C", TZ: "UTC" };
}

interface LiveEntry {
  proc: SupervisedProcess;
  recordFile: string;
}

interface DirEntry {
  dir: string;
  recordFile: string;
}

/** SysV segments of servers killed during the run (see sysv-shm.ts); only for the dedicated user. */
function removeLeakedSharedMemory(): void {
  try {
    const runAs = existingRunAs();
    if (runAs) removeDetachedSegments(runAs.uid);
  } catch {
    // best effort: the next run's reaper tries again
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

export class Supervisor {
  private readonly live = new Set<LiveEntry>();
  private readonly dirs = new Map<string, DirEntry>();

  /** Processes started by this supervisor that are still running. */
  get processes(): SupervisedProcess[] {
    return [...this.live].map((e) => e.proc);
  }

  /**
   * Starts a process detached into its own process group, stdout+stderr appended to the log
   * file. Resolves once the OS has started it (not when it is ready: that is the store's job).
   */
  async spawn(opts: SpawnOptions): Promise<SupervisedProcess> {
    const { fd, offset } = openLogForAppend(opts.logFile);
    let child: ReturnType<typeof spawn>;
    const [command, args, runAs] = opts.netns
      ? [
          "nsenter",
          [
            `--net=/var/run/netns/${opts.netns}`,
            ...(opts.runAs ? [`--setgid=${opts.runAs.gid}`, `--setuid=${opts.runAs.uid}`] : []),
            "--",
            opts.command,
            ...opts.args,
          ],
          undefined,
        ]
      : [opts.command, opts.args, opts.runAs];
    try {
      child = spawn(command, args, {
        cwd: opts.cwd,
        env: { ...baseEnv(), ...opts.env },
        detached: true,
        stdio: [opts.stdin === undefined ? "ignore" : "pipe", fd, fd],
        uid: runAs?.uid,
        gid: runAs?.gid,
      });
    } finally {
      closeSync(fd);
    }
    await new Promise<void>((resolveSpawn, reject) => {
      child.once("spawn", resolveSpawn);
      child.once("error", (err) =>
        reject(
          new Error(
            `could not start ${opts.name} (${opts.command}): ${err.message}` +
              (opts.runAs ? ` (as user ${opts.runAs.user}: can it read and execute that file?)` : ""),
          ),
        ),
      );
    });
    if (opts.stdin !== undefined && child.stdin) {
      child.stdin.on("error", () => {}); // the process may exit before reading it all; its log says why
      child.stdin.end(opts.stdin);
    }
    // The stat exists from fork on, so the start time is readable even before exec finishes.
    const stat = readProcStat(child.pid!);
    const proc = new SupervisedProcess({
      name: opts.name,
      child,
      startTime: stat?.startTime ?? -1,
      logFile: opts.logFile,
      logOffset: offset,
      stopSignal: opts.stopSignal ?? "SIGTERM",
      stopTimeoutMs: opts.stopTimeoutMs ?? 10_000,
    });
    const recordFile = writeRecord({
      owner: selfIdentity(),
      process: {
        pid: proc.pid,
        startTime: proc.startTime,
        name: opts.name,
        command: [opts.command, ...opts.args].join(" "),
      },
      dirs: [],
    });
    const entry: LiveEntry = { proc, recordFile };
    this.live.add(entry);
    // Do not keep the harness alive for its servers: the exit handler kills them instead.
    child.unref();
    void proc.exited.then(() => {
      // The leader is gone; its children die with it (PostgreSQL's notice the postmaster's death).
      this.live.delete(entry);
      removeRecord(recordFile);
    });
    return proc;
  }

  /** Records a temp dir to remove on stopAll/killAllSync, or by the next run's reaper. */
  trackDir(dir: string): void {
    if (this.dirs.has(dir)) return;
    assertRemovable(dir);
    this.dirs.set(dir, { dir, recordFile: writeRecord({ owner: selfIdentity(), dirs: [dir] }) });
  }

  /** Removes a tracked dir now (e.g. a node's data dir that is no longer needed). */
  releaseDir(dir: string, remove = true): void {
    const entry = this.dirs.get(dir);
    if (remove) removeDir(dir);
    if (entry) {
      removeRecord(entry.recordFile);
      this.dirs.delete(dir);
    }
  }

  /** Gracefully stops every process (in parallel), then removes tracked dirs. Never throws. */
  async stopAll(): Promise<StopAllResult> {
    const errors: string[] = [];
    const entries = [...this.live];
    await Promise.all(
      entries.map(async ({ proc }) => {
        try {
          await proc.stop();
        } catch (err) {
          errors.push(`${proc.name}: ${(err as Error).message}`);
        }
      }),
    );
    for (const entry of entries) {
      if (!entry.proc.running) {
        this.live.delete(entry);
        removeRecord(entry.recordFile);
      }
    }
    const removedDirs = this.removeAllDirs(errors);
    removeLeakedSharedMemory();
    return { stopped: entries.length, removedDirs, errors };
  }

  /**
   * Best effort, synchronous: SIGKILL every process tree, wait briefly for them to die, remove
   * tracked dirs. For `process.on("exit")`. Whatever it misses, the next run's reaper finds.
   */
  killAllSync(): void {
    const signalled = [...this.live].flatMap(({ proc }) => signalTree(proc.pid, proc.startTime, "SIGKILL"));
    const deadline = Date.now() + 3_000;
    while (!allGone(signalled) && Date.now() < deadline) sleepSync(20);
    for (const entry of [...this.live]) {
      if (!isAlive(entry.proc.pid, entry.proc.startTime)) {
        this.live.delete(entry);
        removeRecord(entry.recordFile);
      }
    }
    this.removeAllDirs([]);
    removeLeakedSharedMemory();
  }

  private removeAllDirs(errors: string[]): number {
    let removed = 0;
    for (const entry of [...this.dirs.values()]) {
      try {
        removeDir(entry.dir);
        removeRecord(entry.recordFile);
        this.dirs.delete(entry.dir);
        removed++;
      } catch (err) {
        errors.push(`removing ${entry.dir}: ${(err as Error).message}`);
      }
    }
    return removed;
  }
}

/** The process-wide supervisor: every server of a run is started through it. */
export const supervisor = new Supervisor();
