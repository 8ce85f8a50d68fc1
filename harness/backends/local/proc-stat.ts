/**
 * Reading `/proc/<pid>/stat` (Linux). A pid alone does not name a process: pids are recycled, so
 * every process we track is named by its pid *and* its start time (field 22, clock ticks since
 * boot), which no later process with the same pid can share.
 */
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  pid: number;
  /** The executable name as the kernel records it (at most 15 characters). */
  comm: string;
  /** R, S, D, T (stopped), Z (zombie), ... */
  state: string;
  ppid: number;
  pgid: number;
  /** Clock ticks after boot at which the process started. */
  startTime: number;
}

/** The stat line of one process, or undefined when there is no such process. */
export function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  return parseProcStat(text);
}

/** Parses a stat line; `comm` may contain spaces and parentheses, so split after the last `)`. */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) return undefined;
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state); field n is rest[n - 3].
  const startTime = Number(rest[22 - 3]);
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isFinite(pid) || !Number.isFinite(startTime)) return undefined;
  return {
    pid,
    comm: text.slice(open + 1, close),
    state: rest[0] ?? "?",
    ppid: Number(rest[4 - 3]),
    pgid: Number(rest[5 - 3]),
    startTime,
  };
}

/** True when `pid` is a live (not zombie) process that started at `startTime`. */
export function isAlive(pid: number, startTime: number): boolean {
  const stat = readProcStat(pid);
  return stat !== undefined && stat.startTime === startTime && stat.state !== "Z" && stat.state !== "X";
}

/** Every process on the machine, as far as /proc lets us read it. */
export function allProcesses(): ProcStat[] {
  const out: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readProcStat(Number(name));
    if (stat) out.push(stat);
  }
  return out;
}
