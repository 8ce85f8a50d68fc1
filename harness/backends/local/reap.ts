/**
 * Cleaning up after a harness that could not clean up itself (killed with SIGKILL, machine
 * ran out of memory): every pid file whose owner is dead names processes to stop and temp
 * dirs to remove. Call once at the start of a run, before starting anything. As root it also
 * removes the SysV shared memory segments that killed servers of the server user left behind.
 */
import { existsSync } from "node:fs";
import { sleep } from "../../sleep.ts";
import { listRecords, pidDirectory, removeRecord } from "./pid-registry.ts";
import { isAlive, type ProcStat } from "./proc-stat.ts";
import { allGone, signalTree } from "./process-tree.ts";
import { existingRunAs } from "./run-as.ts";
import { removeDir } from "./supervisor.ts";
import { removeDetachedSegments } from "./sysv-shm.ts";

export interface ReapResult {
  /** Leftover server processes stopped (their whole process trees were SIGKILLed). */
  killed: number;
  removedDirs: number;
}

/**
 * Stops the processes of dead harnesses and removes their temp dirs. Records of live harnesses
 * (another run going on at the same time) are left alone. Leftovers are SIGKILLed, not shut
 * down gracefully: their data dirs are temporary and about to be removed.
 */
export async function reapLeftovers(dir: string = pidDirectory()): Promise<ReapResult> {
  const { records } = listRecords(dir);
  const orphaned = records.filter(({ record }) => !isAlive(record.owner.pid, record.owner.startTime));
  let killed = 0;
  const signalled: ProcStat[] = [];
  for (const { record } of orphaned) {
    const p = record.process;
    if (p && isAlive(p.pid, p.startTime)) {
      signalled.push(...signalTree(p.pid, p.startTime, "SIGKILL"));
      killed++;
    }
  }
  const deadline = Date.now() + 10_000;
  while (!allGone(signalled) && Date.now() < deadline) await sleep(25);
  let removedDirs = 0;
  for (const { file, record } of orphaned) {
    let ok = true;
    for (const d of record.dirs) {
      try {
        if (!existsSync(d)) continue;
        removeDir(d);
        removedDirs++;
      } catch {
        ok = false; // keep the record: a later run tries again
      }
    }
    const p = record.process;
    if (ok && !(p && isAlive(p.pid, p.startTime))) removeRecord(file);
  }
  // Killed servers of the dedicated user leave SysV segments nobody will ever remove.
  const runAs = existingRunAs();
  if (runAs) removeDetachedSegments(runAs.uid);
  return { killed, removedDirs };
}
