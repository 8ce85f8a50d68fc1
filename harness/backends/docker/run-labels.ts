/**
 * The labels on every container and network a docker run makes. They name the run and its owner
 * (the harness process: pid and start time, since pids are recycled), so that the next run can
 * reap what a killed run left behind, and only that: a run whose owner is still alive is left
 * alone, whoever's it is.
 */
import { readProcStat } from "../local/proc-stat.ts";

export const LABEL_RUN = "faultline.run";
export const LABEL_OWNER = "faultline.owner";
export const LABEL_NODE = "faultline.node";

/** This process as an owner label value: `<pid>:<start time in clock ticks after boot>`. */
export function ownerId(pid = process.pid): string {
  return `${pid}:${readProcStat(pid)?.startTime ?? "unknown"}`;
}

export function runLabels(runId: string): Record<string, string> {
  return { [LABEL_RUN]: runId, [LABEL_OWNER]: ownerId() };
}

/** Whether the owner named by a label still runs (same pid, same start time, not a zombie). */
export function ownerAlive(owner: string | undefined): boolean {
  if (!owner) return false;
  const [pidText, start] = owner.split(":");
  const stat = readProcStat(Number(pidText));
  return !!stat && String(stat.startTime) === start && stat.state !== "Z" && stat.state !== "X";
}
