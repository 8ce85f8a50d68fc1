/**
 * System V shared memory left behind by killed servers. PostgreSQL keeps a small SysV segment
 * (56 bytes) as an interlock; a postmaster that is SIGKILLed never removes it, and after a
 * node's data dir is deleted nothing ever will. Segments nobody is attached to (nattch 0) that
 * belong to the dedicated server user are safe to remove: a live server stays attached to its own.
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

export interface ShmSegment {
  shmid: number;
  nattch: number;
  uid: number;
}

/** Parses /proc/sysvipc/shm (a header line, then whitespace-separated columns). */
export function parseSysvShm(text: string): ShmSegment[] {
  const [header, ...lines] = text.trim().split("\n");
  const cols = (header ?? "").trim().split(/\s+/);
  const at = (name: string) => cols.indexOf(name);
  const [iShmid, iNattch, iUid] = [at("shmid"), at("nattch"), at("uid")];
  if (iShmid < 0 || iNattch < 0 || iUid < 0) return [];
  return lines.map((line) => {
    const f = line.trim().split(/\s+/);
    return { shmid: Number(f[iShmid]), nattch: Number(f[iNattch]), uid: Number(f[iUid]) };
  });
}

/** Removes detached segments owned by `uid`; returns how many. Only for a uid that only servers use. */
export function removeDetachedSegments(uid: number): number {
  let text: string;
  try {
    text = readFileSync("/proc/sysvipc/shm", "utf8");
  } catch {
    return 0;
  }
  let removed = 0;
  for (const seg of parseSysvShm(text)) {
    if (seg.uid !== uid || seg.nattch !== 0) continue;
    if (spawnSync("ipcrm", ["-m", String(seg.shmid)]).status === 0) removed++;
  }
  return removed;
}
