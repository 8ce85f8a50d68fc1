/**
 * Pid files: a record on disk of every process and temp dir a harness started, so that the
 * next run can clean up after a harness that was killed with SIGKILL (no exit handler ran).
 *
 * One JSON file per process or temp dir, in a directory private to our uid
 * (`$TMPDIR/faultline-<uid>/pids`, or `FAULTLINE_PID_DIR`). Each names its owner, the harness,
 * by pid and start time, so "is the owner still alive" survives pid recycling. Only files we
 * own are trusted: reaping runs as root and kills what the files name.
 */
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readProcStat } from "./proc-stat.ts";

export interface ProcessIdentity {
  pid: number;
  /** From /proc/<pid>/stat, so a recycled pid is not mistaken for this process. */
  startTime: number;
}

export interface PidRecord {
  version: 1;
  /** The harness process that started this. */
  owner: ProcessIdentity;
  /** The server process, when this record is for one. */
  process?: ProcessIdentity & { name: string; command: string };
  /** Directories to remove once the owner is gone (temp data dirs). */
  dirs: string[];
  createdAt: string;
}

export function pidDirectory(): string {
  const override = process.env.FAULTLINE_PID_DIR;
  if (override) return override;
  const uid = typeof process.getuid === "function" ? process.getuid() : 0;
  return join(tmpdir(), `faultline-${uid}`, "pids");
}

/** Creates the pid directory (mode 700) and checks that it is ours. */
export function ensurePidDirectory(dir: string = pidDirectory()): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = statSync(dir);
  const uid = typeof process.getuid === "function" ? process.getuid() : st.uid;
  if (st.uid !== uid) {
    throw new Error(
      `pid directory ${dir} belongs to uid ${st.uid}, not to us (uid ${uid}); remove it or set FAULTLINE_PID_DIR`,
    );
  }
  return dir;
}

let cachedSelf: ProcessIdentity | undefined;

/** This process, named by pid and start time. */
export function selfIdentity(): ProcessIdentity {
  if (cachedSelf?.pid !== process.pid) {
    const stat = readProcStat(process.pid);
    if (!stat)
      throw new Error(`cannot read /proc/${process.pid}/stat: faultline's local backend needs Linux /proc`);
    cachedSelf = { pid: process.pid, startTime: stat.startTime };
  }
  return cachedSelf;
}

let sequence = 0;

/** Writes a record atomically; returns its file path (pass it to `removeRecord` when done). */
export function writeRecord(
  record: Omit<PidRecord, "version" | "createdAt">,
  dir: string = pidDirectory(),
): string {
  ensurePidDirectory(dir);
  const full: PidRecord = { version: 1, createdAt: new Date().toISOString(), ...record };
  const base = `${record.owner.pid}-${record.owner.startTime}-${++sequence}`;
  const file = join(dir, `${base}.json`);
  const tmp = join(dir, `.${base}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(full)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
  return file;
}

export function removeRecord(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone: another cleanup path got there first
  }
}

export interface StoredRecord {
  file: string;
  record: PidRecord;
}

/** Every record we own; files that do not parse or are not ours are skipped (and reported). */
export function listRecords(dir: string = pidDirectory()): { records: StoredRecord[]; skipped: string[] } {
  const records: StoredRecord[] = [];
  const skipped: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { records, skipped };
  }
  const uid = typeof process.getuid === "function" ? process.getuid() : undefined;
  for (const name of names) {
    if (!name.endsWith(".json")) continue;
    const file = join(dir, name);
    try {
      if (uid !== undefined && statSync(file).uid !== uid) {
        skipped.push(file);
        continue;
      }
      const record = JSON.parse(readFileSync(file, "utf8")) as PidRecord;
      if (record.version !== 1 || typeof record.owner?.pid !== "number" || !Array.isArray(record.dirs)) {
        skipped.push(file);
        continue;
      }
      records.push({ file, record });
    } catch {
      skipped.push(file);
    }
  }
  return { records, skipped };
}
