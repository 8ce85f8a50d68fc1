/**
 * Signalling a server and everything it forked. A process group is not enough: PostgreSQL's
 * postmaster puts every child in a session of its own (setsid), so `kill(-pgid)` would stop
 * the postmaster but leave the backends serving queries. We walk parent links in /proc instead.
 */
import { sleep } from "../../sleep.ts";
import { allProcesses, isAlive, type ProcStat, readProcStat } from "./proc-stat.ts";

/** Live descendants of `rootPid` (children, grandchildren, ...), not including the root. */
export function descendantsOf(rootPid: number, table: ProcStat[] = allProcesses()): ProcStat[] {
  const children = new Map<number, ProcStat[]>();
  for (const p of table) {
    if (p.state === "Z") continue;
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: ProcStat[] = [];
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of children.get(pid) ?? []) {
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

function trySignal(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false; // already gone, or not ours: nothing more to do for this one
  }
}

/**
 * Sends `signal` to the root (when it is still the process that started at `startTime`), its
 * process group, and every descendant and their groups. For SIGSTOP and SIGKILL the root is
 * stopped first so that it cannot fork while we collect its children (a SIGKILLed parent's
 * children would be re-parented to init and escape the walk).
 * Returns the processes signalled (root included), so callers can wait for them to be gone.
 */
export function signalTree(rootPid: number, startTime: number, signal: NodeJS.Signals): ProcStat[] {
  const root = readProcStat(rootPid);
  if (!root || root.startTime !== startTime || root.state === "Z") return [];
  const freezeFirst = signal === "SIGKILL" || signal === "SIGSTOP";
  if (freezeFirst) trySignal(rootPid, "SIGSTOP");
  // Two passes: a child forked just before the freeze shows up in the second scan.
  const seen = new Map<number, ProcStat>();
  for (let pass = 0; pass < 2; pass++) {
    for (const p of descendantsOf(rootPid)) {
      if (seen.has(p.pid)) continue;
      seen.set(p.pid, p);
      if (freezeFirst) trySignal(p.pid, "SIGSTOP");
    }
  }
  const signalled: ProcStat[] = [];
  for (const p of seen.values()) {
    if (trySignal(p.pid, signal)) signalled.push(p);
    // Grandchildren that left via setsid are already in `seen`; groups catch the rest.
    if (p.pgid === p.pid) trySignal(-p.pid, signal);
  }
  if (trySignal(rootPid, signal)) signalled.push(root);
  if (root.pgid === rootPid) trySignal(-rootPid, signal);
  return signalled;
}

/** True once none of `procs` is alive any more (exited, or a zombie waiting to be reaped). */
export function allGone(procs: ProcStat[]): boolean {
  return procs.every((p) => !isAlive(p.pid, p.startTime));
}

const isStopped = (state: string) => state === "T" || state === "t";

/**
 * Signals the tree, then re-scans until every process in it is in the wanted state (stopped
 * for SIGSTOP, not stopped for SIGCONT), signalling stragglers again: signal delivery is
 * asynchronous, so a parent can still fork between our signal and its stop, and the new child
 * would escape a single pass. Gives up after `timeoutMs` (a process in uninterruptible sleep
 * changes state only when its I/O finishes); returns the pids still not in the wanted state.
 */
export async function signalTreeAndSettle(
  rootPid: number,
  startTime: number,
  signal: "SIGSTOP" | "SIGCONT",
  timeoutMs = 2_000,
): Promise<number[]> {
  const wantStopped = signal === "SIGSTOP";
  signalTree(rootPid, startTime, signal);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const root = readProcStat(rootPid);
    if (!root || root.startTime !== startTime) return [];
    const pending = [root, ...descendantsOf(rootPid)].filter(
      (p) => p.state !== "Z" && isStopped(p.state) !== wantStopped,
    );
    if (pending.length === 0) return [];
    if (Date.now() > deadline) return pending.map((p) => p.pid);
    for (const p of pending) trySignal(p.pid, signal);
    await sleep(10);
  }
}
