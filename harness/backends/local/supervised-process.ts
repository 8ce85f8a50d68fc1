/**
 * One server process we started: its identity (pid + start time), its log, and the ways to
 * stop it. Signals that must reach the whole server (pause, resume, kill) go to its process
 * tree, not just the leader (see process-tree.ts); a graceful stop signals only the leader and
 * lets it shut its children down.
 */
import type { ChildProcess } from "node:child_process";
import { sleep } from "../../sleep.ts";
import { tailLog } from "./log-file.ts";
import { isAlive, type ProcStat } from "./proc-stat.ts";
import { allGone, descendantsOf, signalTree, signalTreeAndSettle } from "./process-tree.ts";

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

const POLL_MS = 25;

export class SupervisedProcess {
  readonly name: string;
  readonly pid: number;
  readonly startTime: number;
  readonly logFile: string;
  /** Size of the log when this process started: what it wrote is after this offset. */
  readonly logOffset: number;
  readonly stopSignal: NodeJS.Signals;
  readonly stopTimeoutMs: number;
  /** Resolves when the leader exits (never rejects). */
  readonly exited: Promise<ExitStatus>;
  private exitStatus: ExitStatus | undefined;
  private paused = false;

  constructor(opts: {
    name: string;
    child: ChildProcess;
    startTime: number;
    logFile: string;
    logOffset: number;
    stopSignal: NodeJS.Signals;
    stopTimeoutMs: number;
  }) {
    this.name = opts.name;
    this.pid = opts.child.pid!;
    this.startTime = opts.startTime;
    this.logFile = opts.logFile;
    this.logOffset = opts.logOffset;
    this.stopSignal = opts.stopSignal;
    this.stopTimeoutMs = opts.stopTimeoutMs;
    this.exited = new Promise((resolve) => {
      opts.child.once("exit", (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  /** The leader has not exited (a paused process is still running). */
  get running(): boolean {
    return this.exitStatus === undefined && isAlive(this.pid, this.startTime);
  }

  get exitState(): ExitStatus | undefined {
    return this.exitStatus;
  }

  get isPaused(): boolean {
    return this.paused && this.running;
  }

  /** The leader and everything it forked, alive now. */
  tree(): ProcStat[] {
    if (!this.running) return [];
    return descendantsOf(this.pid);
  }

  /** Sends a signal to the leader only (e.g. SIGHUP to reload configuration). */
  signal(signal: NodeJS.Signals): boolean {
    if (!this.running) return false;
    try {
      process.kill(this.pid, signal);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * SIGSTOP to the whole tree: the server stops answering but keeps its connections open.
   * Resolves once every process of it is stopped (or after 2 s: one in uninterruptible I/O
   * stops when the I/O ends).
   */
  async pause(): Promise<void> {
    if (!this.running) throw new Error(`cannot pause ${this.name}: it is not running`);
    this.paused = true;
    await signalTreeAndSettle(this.pid, this.startTime, "SIGSTOP");
  }

  /** SIGCONT to the whole tree; resolves once none of it is stopped. */
  async resume(): Promise<void> {
    if (!this.running) return;
    const left = await signalTreeAndSettle(this.pid, this.startTime, "SIGCONT");
    this.paused = false;
    if (left.length > 0)
      throw new Error(`${this.name}: processes ${left.join(", ")} still stopped after SIGCONT`);
  }

  /** SIGKILL to the whole tree; resolves when every process of it is gone. */
  async kill(timeoutMs = 10_000): Promise<void> {
    const signalled = signalTree(this.pid, this.startTime, "SIGKILL");
    this.paused = false;
    await this.waitGone(signalled, timeoutMs, "SIGKILL");
  }

  /**
   * Graceful stop: the stop signal to the leader (after SIGCONT if paused), then SIGKILL to the
   * tree if it has not exited within the stop timeout. Resolves when everything is gone.
   */
  async stop(timeoutMs: number = this.stopTimeoutMs): Promise<void> {
    if (!this.running) return;
    const before = [...this.tree(), { pid: this.pid, startTime: this.startTime } as ProcStat];
    if (this.paused) await this.resume().catch(() => {}); // a stopped leader cannot act on the stop signal
    this.signal(this.stopSignal);
    const deadline = Date.now() + timeoutMs;
    while (this.running && Date.now() < deadline) await sleep(POLL_MS);
    if (this.running) {
      await this.kill();
      return;
    }
    await this.waitGone(before, 5_000, this.stopSignal);
  }

  private async waitGone(procs: ProcStat[], timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(allGone(procs) && (this.exitStatus !== undefined || !isAlive(this.pid, this.startTime)))) {
      if (Date.now() > deadline) {
        const left = procs.filter((p) => isAlive(p.pid, p.startTime)).map((p) => p.pid);
        throw new Error(
          `${this.name} (pid ${this.pid}): processes ${left.join(", ")} still alive ${timeoutMs} ms after ${what}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /** The last lines of this process's log, for error messages. */
  logTail(lines = 20): string {
    return tailLog(this.logFile, lines, this.logOffset);
  }
}
